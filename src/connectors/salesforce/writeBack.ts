import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from 'jsforce';
import type { FlywheelConfig } from '../../config/types.ts';
import { formatInZone, toWallTime } from '../../calendar/zonedTime.ts';
import { pad2 } from '../../calendar/civil.ts';
import type { AssignmentWriteBack, CrmWriteBack } from '../writeBack.ts';
import { SalesforceAuth, SalesforceAuthError, type SalesforceToken } from './oauth.ts';
import { SALESFORCE_DEFAULTS } from './settings.ts';

/**
 * Assignment -> Salesforce, through the REST API with jsforce (Connection on the token's instance_url):
 *
 * 1. `PATCH /sobjects/{Lead|Contact}/{id}` with the owner's User id as OwnerId. Reps map to users in
 *    `connections.salesforce.owners`; a rep not listed is looked up by e-mail (an active User with that Email),
 *    cached for an hour.
 * 2. One Task for the owner on the lead/contact (WhoId), due (ActivityDate) on the SLA deadline's date in the
 *    organisation's time zone, Status "Not Started", subject and priority from `writeBack.task`.
 *
 * Idempotent per lead and assignment attempt, so a retried activity writes the same owner and one task: setting
 * OwnerId twice is harmless, and the Task's Subject ends with a marker of the attempt (`(Flywheel #1)` for the first
 * assignment) that is looked up by SOQL (WhoId + Subject) before creating. The marker is in the Subject because
 * SOQL cannot filter on Task.Description (a long text area); the Description names the full key for people.
 *
 * Failures (see salesforceFailure): INVALID_SESSION_ID gets a new token and one more try; REQUEST_LIMIT_EXCEEDED and
 * 5xx are retried by the activity; any other error Salesforce names (INVALID_FIELD, FIELD_INTEGRITY_EXCEPTION,
 * NOT_FOUND, ...) is final (CrmRejected).
 */

export const RATE_LIMITED = 'CrmRateLimited';
export const REJECTED = 'CrmRejected';
/** REQUEST_LIMIT_EXCEEDED is about the org's rolling 24-hour API allowance: wait a minute between tries. */
const LIMIT_WAIT_MS = 60_000;
const OWNER_CACHE_MS = 3_600_000;
/** Error codes Salesforce uses for trouble on its side: worth another try. */
const RETRYABLE_CODES = new Set(['SERVER_UNAVAILABLE', 'UNABLE_TO_LOCK_ROW', 'UNKNOWN_EXCEPTION', 'ERROR_HTTP_408', 'ERROR_HTTP_429']);

export interface SalesforceWriteBackOptions {
  config: FlywheelConfig;
  auth: SalesforceAuth;
  /** Per-request timeout, within the notification activity's 30 s. */
  timeoutMs?: number;
  now?: () => number;
}

interface ApiError {
  errorCode?: string;
  message?: string;
  data?: unknown;
  name?: string;
}

export class SalesforceWriteBack implements CrmWriteBack {
  readonly system = 'salesforce' as const;
  private readonly owners = new Map<string, { userId: string; at: number }>();
  private conn: { token: string; conn: Connection } | null = null;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: SalesforceWriteBackOptions) {
    this.timeoutMs = opts.timeoutMs ?? 20_000;
    this.now = opts.now ?? Date.now;
  }

  private get sf() {
    const sf = this.opts.config.connections?.salesforce;
    if (!sf) throw new Error('connections.salesforce is not configured');
    return sf;
  }

  async assigned(w: AssignmentWriteBack): Promise<{ written: string[] }> {
    const sf = this.sf;
    if (sf.writeBack?.enabled === false) return { written: [] };
    const { objectType, id } = w.crm;
    if (w.crm.system !== 'salesforce' || (objectType !== 'Lead' && objectType !== 'Contact')) return { written: [] };
    // A pool has no single owner in Salesforce; the record keeps its owner and no task is written.
    if (!w.owner) return { written: [] };

    const ownerId = await this.userIdOf(w.owner);
    const written: string[] = [];
    await this.call(`PATCH ${objectType} ${id}`, (conn) => conn.sobject(objectType).update({ Id: id, OwnerId: ownerId }));
    written.push(`${objectType}.OwnerId`);

    if (sf.writeBack?.task?.enabled === false) return { written };
    const subject = taskSubject(sf.writeBack?.task?.subject ?? SALESFORCE_DEFAULTS.taskSubject, w.attempt);
    const existing = await this.query<{ Id: string }>(`find task of ${objectType} ${id}`, `SELECT Id FROM Task WHERE WhoId = '${soqlString(id)}' AND Subject = '${soqlString(subject)}' LIMIT 1`);
    if (existing[0]) {
      written.push(`Task ${existing[0].Id} (already written)`);
      return { written };
    }
    const task = {
      Subject: subject,
      WhoId: id,
      OwnerId: ownerId,
      Status: 'Not Started',
      Priority: sf.writeBack?.task?.priority ?? SALESFORCE_DEFAULTS.taskPriority,
      ...(w.deadline ? { ActivityDate: this.dateInOrgZone(w.deadline) } : {}),
      Description: this.description(w),
    };
    const created = await this.call(`create Task for ${objectType} ${id}`, (conn) => conn.sobject('Task').create(task));
    if (!created.success)
      throw ApplicationFailure.create({ type: REJECTED, message: `Salesforce did not create the Task for ${objectType} ${id}: ${JSON.stringify(created.errors).slice(0, 300)}`, nonRetryable: true });
    written.push(`Task ${created.id}`);
    return { written };
  }

  /** The Salesforce User id of a rep: configured, else the active User with the rep's e-mail (cached for an hour). */
  async userIdOf(rep: string): Promise<string> {
    const mapped = this.sf.owners?.[rep];
    if (mapped) return mapped;
    const cached = this.owners.get(rep);
    if (cached && this.now() - cached.at < OWNER_CACHE_MS) return cached.userId;
    const email = this.opts.config.reps.find((r) => r.id === rep)?.email;
    if (!email) throw ApplicationFailure.create({ type: REJECTED, message: `rep ${rep} has no e-mail in the configuration and no entry in connections.salesforce.owners`, nonRetryable: true });
    const users = await this.query<{ Id: string }>(`find the User of rep ${rep}`, `SELECT Id FROM User WHERE Email = '${soqlString(email)}' AND IsActive = true LIMIT 2`);
    if (users.length !== 1) {
      const why = users.length === 0 ? 'no active Salesforce User has' : 'more than one active Salesforce User has';
      throw ApplicationFailure.create({ type: REJECTED, message: `${why} the e-mail of rep ${rep}: map the rep in connections.salesforce.owners`, nonRetryable: true });
    }
    this.owners.set(rep, { userId: users[0]!.Id, at: this.now() });
    return users[0]!.Id;
  }

  private async query<T>(what: string, soql: string): Promise<T[]> {
    // conn.request rather than conn.query: jsforce would retry a GET on 429/5xx by itself (five times, up to 15 s);
    // the activity's retry policy is the one retry loop, so this call does not retry on its own.
    const res = await this.call(what, (conn) => conn.request<{ records: T[] }>({ method: 'GET', url: `/query?q=${encodeURIComponent(soql)}` }, { retry: { maxRetries: 0 }, timeout: this.timeoutMs }));
    return res.records ?? [];
  }

  /** One API call with the cached token; INVALID_SESSION_ID gets a new token and exactly one more try. */
  private async call<T>(what: string, fn: (conn: Connection) => Promise<T>): Promise<T> {
    const first = await this.connection();
    try {
      return await fn(first.conn);
    } catch (e) {
      if ((e as ApiError).errorCode !== 'INVALID_SESSION_ID') throw salesforceFailure(e, what);
      this.opts.auth.invalidate(first.token);
    }
    const second = await this.connection();
    try {
      return await fn(second.conn);
    } catch (e) {
      if ((e as ApiError).errorCode === 'INVALID_SESSION_ID') {
        throw ApplicationFailure.create({
          type: REJECTED,
          message: `Salesforce ${what}: a newly issued token was refused too (INVALID_SESSION_ID); check the connected app's policies and the integration user's API access`,
          nonRetryable: true,
        });
      }
      throw salesforceFailure(e, what);
    }
  }

  private async connection(): Promise<{ token: string; conn: Connection }> {
    let token: SalesforceToken;
    try {
      token = await this.opts.auth.token();
    } catch (e) {
      throw salesforceFailure(e, 'token request');
    }
    if (this.conn?.token !== token.accessToken) {
      const version = this.sf.apiVersion ?? SALESFORCE_DEFAULTS.apiVersion;
      // Loaded on first use: workers without Salesforce never load jsforce.
      const { Connection } = await import('jsforce');
      this.conn = { token: token.accessToken, conn: new Connection({ instanceUrl: token.instanceUrl, accessToken: token.accessToken, version }) };
    }
    return this.conn;
  }

  /** YYYY-MM-DD of an instant in the organisation's time zone (a Task's due date has no time). */
  dateInOrgZone(iso: string): string {
    const w = toWallTime(Date.parse(iso), this.opts.config.organisation.timezone);
    return `${String(w.year).padStart(4, '0')}-${pad2(w.month)}-${pad2(w.day)}`;
  }

  private description(w: AssignmentWriteBack): string {
    const zone = this.opts.config.organisation.timezone;
    const rep = this.opts.config.reps.find((r) => r.id === w.owner)?.name ?? w.owner;
    const due = w.deadline
      ? `First touch due by ${formatInZone(Date.parse(w.deadline), zone)} (${w.deadline}); the SLA clock is running.`
      : w.slaStatus === 'held'
        ? 'No SLA clock runs yet (the lead was held).'
        : 'No SLA clock runs for this assignment.';
    return [`Flywheel assigned this lead to ${rep} (queue ${w.queue}, assignment #${w.attempt + 1}).`, due, `Flywheel key: ${w.leadId}:assignment:${w.attempt}`].join('\n');
  }
}

/** The Task subject with the attempt marker the idempotency lookup searches for. */
export function taskSubject(subject: string, attempt: number): string {
  const marker = ` (Flywheel #${attempt + 1})`;
  return `${subject.slice(0, 255 - marker.length)}${marker}`;
}

/** A SOQL string literal's content: backslash and quote escaped. */
export function soqlString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

/**
 * The failure an activity throws for an error of a Salesforce call; `what` names the call. jsforce's errors carry
 * Salesforce's errorCode (not the HTTP status): REQUEST_LIMIT_EXCEEDED waits a minute; server-side codes and HTTP
 * 5xx retry with the activity's backoff; every other code Salesforce names is a refusal of the request (CrmRejected,
 * not retried). Network failures retry. Messages never carry the token.
 */
export function salesforceFailure(e: unknown, what: string): Error {
  if (e instanceof ApplicationFailure) return e;
  if (e instanceof SalesforceAuthError) {
    return e.retryable ? new Error(e.message) : ApplicationFailure.create({ type: REJECTED, message: e.message, nonRetryable: true });
  }
  const err = e as ApiError;
  const code = typeof err?.errorCode === 'string' ? err.errorCode : null;
  const message = `Salesforce ${what}${code ? ` answered ${code}` : ' failed'}: ${String(err?.message ?? e).slice(0, 300)}`;
  if (!code) return new Error(message);
  if (code === 'REQUEST_LIMIT_EXCEEDED') {
    return ApplicationFailure.create({ type: RATE_LIMITED, message: `${message} (retrying in ${LIMIT_WAIT_MS / 1000} s)`, nonRetryable: false, nextRetryDelay: LIMIT_WAIT_MS });
  }
  if (RETRYABLE_CODES.has(code) || /^ERROR_HTTP_5\d\d$/.test(code)) return new Error(message);
  return ApplicationFailure.create({ type: REJECTED, message, nonRetryable: true });
}

/** The worker's Salesforce write-back when `connections.salesforce` is configured and its write-back not disabled. */
export function salesforceWriteBack(config: FlywheelConfig, env: NodeJS.ProcessEnv = process.env): SalesforceWriteBack | null {
  const sf = config.connections?.salesforce;
  if (!sf || sf.writeBack?.enabled === false) return null;
  return new SalesforceWriteBack({ config, auth: new SalesforceAuth(sf, { env }) });
}
