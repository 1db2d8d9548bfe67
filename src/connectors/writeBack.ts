import type { FlywheelConfig } from '../config/types.ts';

/** Where a Flywheel record lives in a CRM. */
export interface CrmIdentity {
  system: 'hubspot' | 'salesforce';
  /** HubSpot: contact | company | deal; Salesforce: Lead | Contact | Account | Opportunity. */
  objectType: string;
  id: string;
}

/** What routing decided about a lead, for the CRM to show: who owns it and by when it must be touched. */
export interface AssignmentWriteBack {
  leadId: string;
  crm: CrmIdentity;
  /** Flywheel rep id (mapped to the CRM's owner by the connector); null for a pool. */
  owner: string | null;
  pool: string | null;
  queue: string;
  /** The SLA deadline of this assignment's clock (null when no clock runs). */
  deadline: string | null;
  slaStatus: 'running' | 'held' | 'none';
  attempt: number;
}

/**
 * A CRM connector's outbound side. Called from the notification path after an assignment (never before the SLA
 * clock runs), idempotent per lead and attempt, so a retried activity writes the same owner and one task. Throws
 * errors that activities/failures.ts classifies: a CRM 4xx other than 429 is deterministic, a 429 carries the
 * wait the CRM asked for.
 */
export interface CrmWriteBack {
  readonly system: CrmIdentity['system'];
  assigned(w: AssignmentWriteBack): Promise<{ written: string[] }>;
}

/**
 * The CRM record behind a Flywheel lead id: connectors deliver leads as `<leadIdPrefix><crm id>`. Salesforce ids
 * name their object by their first three characters (00Q a Lead, 003 a Contact).
 */
export function crmIdentityOf(leadId: string, config: FlywheelConfig): CrmIdentity | null {
  const hs = config.connections?.hubspot;
  const hsPrefix = hs?.leadIdPrefix ?? 'hubspot-';
  if (hs && leadId.startsWith(hsPrefix) && /^\d+$/.test(leadId.slice(hsPrefix.length))) return { system: 'hubspot', objectType: 'contact', id: leadId.slice(hsPrefix.length) };
  const sf = config.connections?.salesforce;
  const sfPrefix = sf?.leadIdPrefix ?? 'salesforce-';
  if (sf && leadId.startsWith(sfPrefix)) {
    const id = leadId.slice(sfPrefix.length);
    if (!/^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/.test(id)) return null;
    const objectType = id.startsWith('00Q') ? 'Lead' : id.startsWith('003') ? 'Contact' : null;
    return objectType ? { system: 'salesforce', objectType, id } : null;
  }
  return null;
}
