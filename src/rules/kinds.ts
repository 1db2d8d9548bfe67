import type { HitPolicy } from './types.ts';

export const KINDS = ['icp', 'disqualification', 'qualification', 'data-quality', 'routing', 'sla', 'health', 'recycling', 'handoff', 'cs-routing', 'renewal'] as const;
export type Kind = (typeof KINDS)[number];

export type RefType = 'queue' | 'team' | 'rep' | 'calendar';
type FieldPath = readonly string[];

/** A field holding an id from config/flywheel.yaml (of one of `types`), or one of a few keywords that are not ids. */
export interface RefField {
  path: FieldPath;
  types: readonly RefType[];
  keywords?: readonly string[];
}

export interface KindSpec {
  kind: Kind;
  /** Fixed per kind: consumers rely on one winner (`first`) or on an aggregate of all matches (`collect`). */
  hitPolicy: HitPolicy;
  summary: string;
  /**
   * Top-level facts this kind's rules may read. It documents what a caller must supply, and it keeps a kind
   * from reading its own result (an icp rule reading icp.tier would depend on itself).
   */
  facts: readonly string[];
  /** Paths are relative to a rule's `then` (and noMatch.outcome); `*` is every array element or map value. */
  refs: readonly RefField[];
  durations: readonly FieldPath[];
  /** Outcome fields that name a facts path, checked against the facts schema like `var`. */
  factPaths: readonly FieldPath[];
  /** Like the above, relative to the whole file (health's scoring section). */
  setRefs?: readonly RefField[];
  setDurations?: readonly FieldPath[];
}

// Who is told: the owner, the owner's manager, a rep, or a whole team.
const recipientsAt = (...path: string[]): RefField => ({ path: [...path, '*'], types: ['rep', 'team'], keywords: ['owner', 'manager'] });
// Routing and CS routing place a record the same way: an owner, else a queue.
const queues: readonly RefField[] = [
  { path: ['queue'], types: ['queue'] },
  { path: ['fallbackQueue'], types: ['queue'] },
];
const playbooks = ['scoring', 'playbooks', '*'];

export const KIND_SPECS: Readonly<Record<Kind, KindSpec>> = {
  icp: {
    kind: 'icp',
    hitPolicy: 'first',
    summary: 'ideal-customer-profile tier A-D from firmographics, technographics and intent',
    facts: ['lead', 'account', 'now'],
    refs: [],
    durations: [],
    factPaths: [],
  },
  disqualification: {
    kind: 'disqualification',
    hitPolicy: 'collect',
    summary: 'reasons a lead is out (competitor, student, personal e-mail, ...); every match counts',
    facts: ['lead', 'account', 'now'],
    refs: [],
    durations: [],
    factPaths: [],
  },
  qualification: {
    kind: 'qualification',
    hitPolicy: 'first',
    summary: 'MQL status and the fields a lead must carry before the hand-off to sales',
    facts: ['lead', 'account', 'icp', 'now'],
    refs: [],
    durations: [],
    factPaths: [['requiredFields', '*']],
  },
  'data-quality': {
    kind: 'data-quality',
    hitPolicy: 'collect',
    summary: 'data problems on a lead; `block` stops the hand-off, `warn` is reported',
    facts: ['lead', 'account', 'now'],
    refs: [],
    durations: [],
    factPaths: [['field']],
  },
  routing: {
    kind: 'routing',
    hitPolicy: 'first',
    summary: 'who gets the lead: the account owner or a queue from config',
    facts: ['lead', 'account', 'icp', 'owner', 'now'],
    refs: [...queues, { path: ['followTheSun', '*'], types: ['queue'] }, recipientsAt('holdNotify')],
    durations: [['maxHold']],
    factPaths: [],
  },
  sla: {
    kind: 'sla',
    hitPolicy: 'first',
    summary: 'response-time targets per hand-off, with warning and breach escalation',
    facts: ['lead', 'account', 'icp', 'owner', 'handoff', 'now'],
    refs: [{ path: ['calendar'], types: ['calendar'], keywords: ['owner'] }, recipientsAt('escalation', 'notify'), { path: ['escalation', 'then'], types: ['queue'], keywords: ['overflow'] }],
    durations: [['target'], ['warnAt'], ['pause', 'maxPause']],
    factPaths: [],
  },
  health: {
    kind: 'health',
    hitPolicy: 'collect',
    summary: 'account health: signals add or remove points; bands and a playbook on red',
    facts: ['account', 'health', 'owner', 'now'],
    refs: [],
    durations: [],
    factPaths: [],
    setRefs: [{ path: [...playbooks, 'assignTo'], types: ['queue'], keywords: ['account-owner'] }, { path: [...playbooks, 'fallbackQueue'], types: ['queue'] }, recipientsAt(...playbooks, 'notify')],
    setDurations: [[...playbooks, 'within']],
  },
  recycling: {
    kind: 'recycling',
    hitPolicy: 'first',
    summary: "how long a lost deal's lead waits before it goes back to marketing nurture",
    facts: ['lead', 'account', 'icp', 'deal', 'now'],
    refs: [],
    durations: [['cooldown']],
    factPaths: [],
  },
  handoff: {
    kind: 'handoff',
    hitPolicy: 'collect',
    summary: 'context that must travel with a hand-off, and who hears when it is missing; every match adds fields',
    facts: ['lead', 'account', 'icp', 'handoff', 'deal', 'now'],
    refs: [recipientsAt('notify')],
    durations: [],
    factPaths: [['requiredFields', '*']],
  },
  'cs-routing': {
    kind: 'cs-routing',
    hitPolicy: 'first',
    summary: "who owns a new customer in customer success: the account's CS owner or a CS queue",
    facts: ['lead', 'account', 'icp', 'deal', 'handoff', 'now'],
    refs: queues,
    durations: [],
    factPaths: [],
  },
  renewal: {
    kind: 'renewal',
    hitPolicy: 'first',
    summary: 'reminders before a contract ends, and who gets them',
    facts: ['account', 'icp', 'health', 'now'],
    refs: [recipientsAt('notify')],
    durations: [['reminders', '*']],
    factPaths: [],
  },
};

export function isKind(x: unknown): x is Kind {
  return typeof x === 'string' && (KINDS as readonly string[]).includes(x);
}
