/**
 * A `lead.imported` event (issue 14): an open lead from the CRM or a file, taken over in its current stage with its
 * current owner. Pure: what the import asks for and what the lead's state becomes; the workflow binds the
 * activities (assignment row, SLA clock, qualification) to the plan. Bundled into workflow code.
 */
import type { LeadEvent, LeadState, LeadStatus } from './types.ts';

/** The fields of lead.imported that describe the import; every other field is a lead fact, as in lead.created. */
export const IMPORT_FIELDS = ['stage', 'status', 'owner', 'tier', 'handoffAt', 'sla', 'route', 'importedFrom'] as const;

export interface ImportMeta {
  stage: 'Attract' | 'Engage';
  /** The status the CRM gave, e.g. `mql` (kept on the ledger row; the state's status is one Flywheel knows). */
  status: string;
  owner: string | null;
  tier: string | null;
  handoffAt: string | null;
  startSla: boolean;
  route: boolean;
  importedFrom: string | null;
}

/** Engage statuses an imported lead keeps; any other Engage status becomes `assigned`. */
const ENGAGE_STATUSES: readonly LeadStatus[] = ['assigned', 'working', 'meeting'];

export type ImportPlan =
  /** Changes nothing: the lead already exists (imported or not). */
  | { kind: 'ignore'; reason: string }
  /** Qualify and route like lead.created (`route: true`). */
  | { kind: 'route' }
  /** Engage without an owner: it is with sales, so it is routed without being qualified again. */
  | { kind: 'assign' }
  /** Engage with its owner, no routing; the clock starts at `slaFrom` when the import asked for it. */
  | { kind: 'keep-owner'; owner: string; status: LeadStatus; slaFrom: string | null }
  /** Attract: waits in nurture until its next lead.updated is evaluated by the rules. */
  | { kind: 'nurture' };

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** Splits the event's data into the lead's facts and the import's fields. */
export function splitImport(data: Record<string, unknown>): { facts: Record<string, unknown>; meta: ImportMeta } {
  const facts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) if (!(IMPORT_FIELDS as readonly string[]).includes(k)) facts[k] = v;
  const sla = data.sla as { start?: unknown } | undefined;
  return {
    facts,
    meta: {
      stage: data.stage === 'Engage' ? 'Engage' : 'Attract',
      status: str(data.status) ?? 'nurture',
      owner: str(data.owner),
      tier: str(data.tier),
      handoffAt: str(data.handoffAt),
      startSla: sla?.start === true,
      route: data.route === true,
      importedFrom: str(data.importedFrom),
    },
  };
}

/** What to do with an import arriving on a lead in state `s` (before anything is applied). */
export function planImport(s: Pick<LeadState, 'status' | 'imported'>, meta: ImportMeta): ImportPlan {
  if (s.imported) return { kind: 'ignore', reason: 'already imported' };
  if (s.status !== 'new') return { kind: 'ignore', reason: `already imported: the lead already exists in Flywheel (${s.status})` };
  if (meta.route) return { kind: 'route' };
  if (meta.stage === 'Attract') return { kind: 'nurture' };
  if (!meta.owner) return { kind: 'assign' };
  const status = (ENGAGE_STATUSES as readonly string[]).includes(meta.status) ? (meta.status as LeadStatus) : 'assigned';
  return { kind: 'keep-owner', owner: meta.owner, status, slaFrom: meta.startSla ? meta.handoffAt : null };
}

/**
 * Marks the state as imported and takes over the lead's facts (the import is the lead's first known version, dated
 * by the event) and its tier. Stage, status and owner are set by the workflow as it carries out the plan.
 */
export function markImported(s: LeadState, e: LeadEvent, facts: Record<string, unknown>, meta: ImportMeta, at: string): void {
  s.imported = true;
  s.importedAt = at;
  s.lead = { ...s.lead, ...facts };
  s.leadUpdatedAt = e.time;
  if (meta.tier) s.tier = meta.tier;
}

/**
 * The lead taken over by the owner it had before Flywheel: Engage, with the imported status, handed over when the
 * import says. No stage.changed row is written for it: the lead did not arrive in Engage now.
 */
export function keepOwner(s: LeadState, kept: { owner: string; queue: string | null }, status: LeadStatus, handoffAt: string): void {
  s.assignments++;
  s.owner = kept.owner;
  s.queue = kept.queue;
  s.handoffAt = handoffAt;
  s.stage = 'Engage';
  s.status = status;
}

/** The data of the `lead.imported` ledger row: where it came from and the state it was taken over in. No personal data. */
export function importedRow(meta: ImportMeta, plan: ImportPlan, e: Pick<LeadEvent, 'id' | 'source'>, source: string | null, importedAt: string): Record<string, unknown> {
  return {
    importedAt,
    eventId: e.id,
    eventSource: e.source,
    importedFrom: meta.importedFrom,
    stage: meta.stage,
    status: meta.status,
    owner: meta.owner,
    tier: meta.tier,
    handoffAt: meta.handoffAt,
    route: meta.route,
    plan: plan.kind,
    source,
    // The clock this import started (its number in the lead's clock keys), so hand-off metrics can leave it out.
    ...(plan.kind === 'keep-owner' && plan.slaFrom ? { importedClock: 0 } : {}),
  };
}
