import { ApplicationFailure } from '@temporalio/common';
import { AssociationTypes, Client } from '@hubspot/api-client';
import type { FlywheelConfig, HubSpotConfig } from '../../config/types.ts';
import type { AssignmentWriteBack, CrmWriteBack } from '../writeBack.ts';
import { call, REJECTED } from './apiErrors.ts';
import { OwnerDirectory, type OwnersApi } from './owners.ts';

export const DEFAULT_HUBSPOT_BASE_URL = 'https://api.hubapi.com';
export const DEFAULT_ACCESS_TOKEN_ENV = 'HUBSPOT_ACCESS_TOKEN';

/** The slices of the SDK this uses, so a test can see what is called (it always runs against a contract server). */
export interface HubSpotApis {
  contacts: { update(contactId: string, input: { properties: Record<string, string> }): Promise<{ id: string }> };
  tasks: {
    create(input: {
      properties: Record<string, string>;
      associations?: { to: { id: string }; types: { associationCategory: 'HUBSPOT_DEFINED'; associationTypeId: number }[] }[];
    }): Promise<{ id: string }>;
    doSearch(req: {
      filterGroups: { filters: { propertyName: string; operator: 'EQ'; value: string }[] }[];
      properties: string[];
      limit: number;
      after?: string;
      sorts: string[];
    }): Promise<{ results: { id: string; properties: Record<string, string | null> }[]; paging?: { next?: { after?: string } } }>;
  };
  owners: OwnersApi;
}

export interface HubSpotWriteBackOptions {
  hubspot: HubSpotConfig;
  /** reps[].email by rep id (owner lookup by e-mail). */
  repEmails: Record<string, string>;
  apis: HubSpotApis;
  /** Owner cache lifetime (default ten minutes). */
  ownerTtlMs?: number;
  /** Set when the access token's variable is empty: every write is refused with this reason instead of calling. */
  unusable?: string;
}

/** The marker that makes a task Flywheel's for one lead and assignment: a retry finds it instead of adding another. */
export function taskMarker(leadId: string, attempt: number): string {
  return `[flywheel:${leadId}:assignment-${attempt}]`;
}

/**
 * HubSpot's side of an assignment: the contact's owner (`hubspot_owner_id`), lifecycle stage and lead status, the SLA
 * state into the properties the configuration names, and one task for the owner due at the SLA deadline, associated
 * with the contact. A pool assignment (no owner) writes the status properties only.
 *
 * Idempotent per lead and assignment: the contact update sets the same values again, and the task carries a marker
 * (taskMarker) in its notes; before creating it, the tasks of that owner due at that instant are searched for the
 * marker (POST /crm/v3/objects/tasks/search), so a retried activity finds the task its earlier attempt created.
 */
export class HubSpotWriteBack implements CrmWriteBack {
  readonly system = 'hubspot' as const;
  private readonly owners: OwnerDirectory;

  constructor(private readonly opts: HubSpotWriteBackOptions) {
    this.owners = new OwnerDirectory(opts.apis.owners, { configured: opts.hubspot.owners ?? {}, emails: opts.repEmails, ttlMs: opts.ownerTtlMs });
  }

  async assigned(w: AssignmentWriteBack): Promise<{ written: string[] }> {
    if (this.opts.unusable) throw ApplicationFailure.create({ type: REJECTED, message: this.opts.unusable, nonRetryable: true });
    if (w.crm.system !== 'hubspot' || w.crm.objectType !== 'contact') {
      throw ApplicationFailure.create({ type: REJECTED, message: `HubSpot write-back handles contacts, not ${w.crm.system} ${w.crm.objectType}`, nonRetryable: true });
    }
    const cfg = this.opts.hubspot.writeBack ?? {};
    const ownerId = w.owner ? await this.owners.ownerIdOf(w.owner) : null;

    const properties: Record<string, string> = {};
    if (ownerId) properties.hubspot_owner_id = ownerId;
    if (cfg.lifecycleStage) properties.lifecyclestage = cfg.lifecycleStage;
    if (cfg.leadStatus) properties.hs_lead_status = cfg.leadStatus;
    if (cfg.slaStatusProperty) properties[cfg.slaStatusProperty] = w.slaStatus;
    // An empty value clears the property: a held lead has no deadline, and must not show the previous one.
    if (cfg.slaDeadlineProperty) properties[cfg.slaDeadlineProperty] = w.deadline ?? '';

    const written: string[] = [];
    const contactId = w.crm.id;
    if (Object.keys(properties).length > 0) {
      await call(`PATCH contact ${contactId}`, () => this.opts.apis.contacts.update(contactId, { properties }));
      written.push(`contact:${contactId}:${Object.keys(properties).join(',')}`);
    }

    // The task goes to a person by a deadline: none for a pool or a lead without a running clock.
    if (ownerId && w.deadline && cfg.task?.enabled !== false) {
      const task = await this.ensureTask(w, contactId, ownerId, w.deadline);
      written.push(`task:${task.id}${task.existed ? ':existing' : ''}`);
    }
    return { written };
  }

  private async ensureTask(w: AssignmentWriteBack, contactId: string, ownerId: string, deadline: string): Promise<{ id: string; existed: boolean }> {
    const marker = taskMarker(w.leadId, w.attempt);
    const due = String(Date.parse(deadline));
    const existing = await this.findTask(ownerId, due, marker);
    if (existing) return { id: existing, existed: true };
    const cfg = this.opts.hubspot.writeBack?.task ?? {};
    const created = await call(`POST task for contact ${contactId}`, () =>
      this.opts.apis.tasks.create({
        properties: {
          hs_timestamp: new Date(deadline).toISOString(),
          hs_task_subject: cfg.subject ?? 'First touch for a lead Flywheel assigned to you',
          hs_task_body: `Flywheel routed this lead to you (queue ${w.queue}). Touch it by ${new Date(deadline).toISOString()} to meet the SLA.\n${marker}`,
          hs_task_status: 'NOT_STARTED',
          hs_task_priority: cfg.priority ?? 'HIGH',
          hubspot_owner_id: ownerId,
        },
        associations: [{ to: { id: contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: AssociationTypes.taskToContact }] }],
      }),
    );
    return { id: created.id, existed: false };
  }

  /** A task an earlier attempt created: the owner's tasks due at that instant, with this assignment's marker. */
  private async findTask(ownerId: string, dueMs: string, marker: string): Promise<string | null> {
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await call('search tasks', () =>
        this.opts.apis.tasks.doSearch({
          filterGroups: [
            {
              filters: [
                { propertyName: 'hubspot_owner_id', operator: 'EQ', value: ownerId },
                { propertyName: 'hs_timestamp', operator: 'EQ', value: dueMs },
              ],
            },
          ],
          properties: ['hs_task_body', 'hs_timestamp', 'hubspot_owner_id'],
          limit: 100,
          sorts: [],
          ...(after ? { after } : {}),
        }),
      );
      const hit = res.results.find((t) => (t.properties.hs_task_body ?? '').includes(marker));
      if (hit) return hit.id;
      after = res.paging?.next?.after;
      if (!after) return null;
    }
    return null;
  }
}

/** The SDK client's APIs, built at once so no later Client of another connector changes their decorators. */
export function hubspotApis(accessToken: string, basePath: string): HubSpotApis {
  // numberOfApiCallRetries stays 0: retries (and the waits HubSpot asks for) belong to the activity, where they show.
  const client = new Client({ accessToken, basePath });
  const tasks = client.crm.objects.tasks;
  // The SDK types enums as TypeScript enums; the wire values are the same strings.
  type TaskInput = Parameters<typeof tasks.basicApi.create>[0];
  type SearchInput = Parameters<typeof tasks.searchApi.doSearch>[0];
  return {
    contacts: client.crm.contacts.basicApi,
    tasks: { create: (i) => tasks.basicApi.create(i as unknown as TaskInput), doSearch: (r) => tasks.searchApi.doSearch(r as unknown as SearchInput) },
    owners: client.crm.owners.ownersApi,
  };
}

/**
 * The HubSpot write-back the configuration asks for (connections.hubspot with writeBack enabled, the default), or null.
 * The access token comes from the variable accessTokenEnv names; when it is empty the write-back still exists and
 * refuses each write (a dead letter names the variable), so a missing secret shows instead of silently writing nothing.
 */
export function hubspotWriteBack(config: FlywheelConfig, env: NodeJS.ProcessEnv = process.env, opts: { ownerTtlMs?: number } = {}): HubSpotWriteBack | null {
  const hubspot = config.connections?.hubspot;
  if (!hubspot || hubspot.writeBack?.enabled === false) return null;
  const tokenEnv = hubspot.accessTokenEnv ?? DEFAULT_ACCESS_TOKEN_ENV;
  const token = env[tokenEnv];
  const repEmails = Object.fromEntries(config.reps.filter((r) => r.email).map((r) => [r.id, r.email]));
  if (!token) process.stderr.write(`flywheel: connections.hubspot write-back is on but ${tokenEnv} is not set; assignments will not reach HubSpot.\n`);
  const basePath = (hubspot.baseUrl ?? DEFAULT_HUBSPOT_BASE_URL).replace(/\/+$/, '');
  return new HubSpotWriteBack({
    hubspot,
    repEmails,
    apis: hubspotApis(token ?? 'unset', basePath),
    ownerTtlMs: opts.ownerTtlMs,
    ...(token ? {} : { unusable: `HubSpot write-back: no access token (${tokenEnv} is not set)` }),
  });
}
