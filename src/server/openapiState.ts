/**
 * Exact JSON Schemas of the lead and account workflows' `state` query answers (GET /v1/leads/{id}, /v1/accounts/{id}).
 * Each object is written against its TypeScript type through `closed<T>()`: a field added to (or removed from) the
 * type fails the build until the schema says the same, and enums are checked against their unions the same way.
 */
import { EVENT_TYPES } from '../events/catalog.ts';
import { HEALTH_BANDS } from '../metrics/delight.ts';
import { HANDOFFS } from '../metrics/handoffs.ts';
import { KINDS } from '../rules/kinds.ts';
import type { AccountEvent, AccountInternalEventType, AccountState, AccountStatus, HealthResult, Referral } from '../../workflows/account/types.ts';
import type { ClockPause, ClockStatus, HandoffClock, RunningClock } from '../../workflows/clock.ts';
import type { AssignmentRequest, DecisionRecord, FlywheelStage, HoldCandidate, IgnoredEvent, LeadEvent, LeadState, LeadStatus, RecordFailure, SlaClock } from '../../workflows/lead/types.ts';

type Json = Record<string, unknown>;
/** A property's schema; `optional` is reserved for optional properties. */
type Schema = Json & { optional?: never };
interface Optional {
  optional: Schema;
}
/** One schema per property of T: optional properties (`key?:`) wrapped in `optional()`, the others not. */
export type Fields<T> = { [K in keyof T]-?: Partial<Pick<T, K>> extends Pick<T, K> ? Optional : Schema };

const optional = (schema: Schema): Optional => ({ optional: schema });

/** A closed object: every property of T, required unless optional in T, nothing else. */
export function closed<T>(fields: Fields<T>, description?: string): Schema {
  const entries = Object.entries(fields) as [string, Schema | Optional][];
  return {
    type: 'object',
    ...(description && { description }),
    required: entries.filter(([, f]) => !('optional' in f)).map(([k]) => k),
    properties: Object.fromEntries(entries.map(([k, f]) => [k, 'optional' in f ? f.optional : f])),
    additionalProperties: false,
  };
}

/** The members of a string union as an enum: leaving one out, or listing one the union lacks, fails the build. */
const members =
  <T extends string>() =>
  <const V extends readonly T[]>(values: V & ([T] extends [V[number]] ? unknown : never)): Schema => ({ type: 'string', enum: [...values] });

function nullable(s: Schema): Schema {
  if (typeof s.type === 'string') return { ...s, type: [s.type, 'null'], ...(Array.isArray(s.enum) && { enum: [...s.enum, null] }) };
  return { anyOf: [s, { type: 'null' }] };
}

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const text: Schema = { type: 'string' };
const time: Schema = { type: 'string', format: 'date-time' };
const count: Schema = { type: 'integer', minimum: 0 };
const num: Schema = { type: 'number' };
const bool: Schema = { type: 'boolean' };
const texts: Schema = { type: 'array', items: text };
const list = (items: Schema, description?: string): Schema => ({ type: 'array', items, ...(description && { description }) });
/** Free-form data as the CRM sent it (lead fields, hand-off context, event data): open on purpose. */
const freeForm = (description: string): Schema => ({ type: 'object', description });

const stage = members<FlywheelStage>()(['Attract', 'Engage', 'Delight', 'Closed']);
const clockStatus = members<ClockStatus>()(['none', 'running', 'warned', 'breached', 'met', 'held', 'paused']);
const catalogTypes = (entity: 'lead' | 'account') => Object.keys(EVENT_TYPES).filter((t) => EVENT_TYPES[t as keyof typeof EVENT_TYPES].entity === entity);

const decisionRecord = closed<DecisionRecord>(
  {
    at: time,
    kind: { type: 'string', examples: [...KINDS] },
    matched: { ...texts, description: 'Ids of the rules that matched' },
    outcome: { description: "The matched rules' outcome (kind-specific)" },
    revision: { ...text, description: 'The rules revision that decided' },
    inputs: freeForm('The facts the rules read, by path'),
  },
  'One rules decision as the workflow recorded it',
);

const ignoredEvent = closed<IgnoredEvent>({ eventId: text, type: text, at: time, reason: text }, 'An event the record acknowledged without effect, and why');

const recordFailure = closed<RecordFailure>(
  { at: time, eventId: nullable(text), eventType: nullable(text), activity: text, type: text, message: text },
  'A step that failed for good (bad data, bad rules); the record went on with later events',
);

const clockFields: Fields<RunningClock> = {
  handoff: members<HandoffClock['handoff']>()(HANDOFFS),
  rule: nullable(text),
  target: { ...text, examples: ['4h', '2d'] },
  startedAt: time,
  warnAt: time,
  deadline: time,
  calendar: text,
  escalation: closed<HandoffClock['escalation']>({ notify: texts, reassign: bool, maxReassignments: count, then: nullable(text) }),
  pause: optional(closed<NonNullable<HandoffClock['pause']>>({ reasons: texts, maxPause: nullable(text) }, 'Pause reasons the SLA rule allows')),
  status: clockStatus,
  metAt: optional(time),
  paused: optional(nullable(closed<ClockPause>({ at: time, reason: text, until: nullable(time), resumeTo: members<ClockPause['resumeTo']>()(['running', 'warned']) }, 'Set while paused'))),
  pausedMs: optional({ ...num, description: 'Business ms excluded by pauses so far' }),
  pauses: optional(count),
};

// Both kinds of event share their shape; the intersection's keys are every field of either.
const earlyEvent = (types: string[]) =>
  closed<Record<keyof LeadEvent | keyof AccountEvent, unknown>>(
    { key: text, id: text, source: text, type: { type: 'string', enum: types }, subject: text, time, data: freeForm('The event data') },
    'An event received before the record existed, applied once it does',
  );

const holdCandidate = closed<HoldCandidate>({
  rep: text,
  queue: text,
  reason: members<HoldCandidate['reason']>()(['outside-hours', 'out-of-office', 'at-capacity', 'inactive', 'excluded']),
  availableAt: nullable(time),
});

const leadState = closed<LeadState>(
  {
    leadId: text,
    stage,
    status: members<LeadStatus>()(['new', 'nurture', 'blocked-data', 'held', 'assigned', 'working', 'meeting', 'opportunity', 'won', 'lost', 'disqualified']),
    lead: freeForm("The lead's fields, merged from lead.created and lead.updated"),
    leadUpdatedAt: nullable(time),
    tier: nullable(text),
    owner: nullable(text),
    pool: nullable(text),
    queue: nullable(text),
    breachedReps: texts,
    reassignments: count,
    assignments: count,
    seq: count,
    sla: nullable(
      closed<NonNullable<LeadState['sla']>>(
        { ...clockFields, handoff: members<SlaClock['handoff']>()(['marketing-to-sales']), decision: ref('DecisionRecord'), timeToFirstTouchMs: optional(num) },
        'The marketing -> sales first-touch clock and the decision that set it',
      ),
    ),
    blocked: optional(nullable(closed<NonNullable<LeadState['blocked']>>({ missing: texts, since: time, notices: count }, 'The fields a blocked lead is missing'))),
    failures: optional(list(ref('RecordFailure'))),
    closedAt: optional(nullable(time)),
    hold: optional(
      nullable(
        closed<NonNullable<LeadState['hold']>>(
          {
            queue: text,
            since: time,
            candidates: list(holdCandidate),
            nextRouteAt: nullable(time),
            maxHoldAt: nullable(time),
            notify: texts,
            rule: nullable(text),
            toldAt: nullable(time),
            reason: optional(members<AssignmentRequest['reason']>()(['handoff', 'sla-breach', 'overflow', 'recycled'])),
            overflowFrom: optional(text),
          },
          'Set while nobody can take the lead: where it waits, why, and when it is routed again',
        ),
      ),
    ),
    imported: optional(bool),
    importedAt: optional(nullable(time)),
    handoffAt: nullable(time),
    firstMeetingAt: nullable(time),
    timeToFirstMeetingMs: nullable(num),
    opportunity: nullable(closed<NonNullable<LeadState['opportunity']>>({ id: text, amount: num, currency: optional(text), createdAt: time })),
    closedReason: nullable(text),
    recycleAt: nullable(time),
    rulesRevision: nullable(text),
    decisions: list(ref('DecisionRecord')),
    ignored: list(ref('IgnoredEvent')),
    seen: list(text, 'Keys of the latest events applied, so a redelivery has no second effect'),
    seenDigests: optional(list({ type: 'integer' }, 'Digests of older applied keys')),
    early: list(ref('EarlyLeadEvent')),
    runs: count,
  },
  "The lead workflow's `state` query answer: stage and status, owner, SLA clock, hold, decisions with the rules that matched, ignored events",
);

const accountState = closed<AccountState>(
  {
    accountId: text,
    stage,
    status: members<AccountStatus>()(['awaiting-handoff', 'onboarding', 'active', 'churned']),
    name: nullable(text),
    domain: nullable(text),
    region: nullable(text),
    tier: nullable(text),
    arr: num,
    currency: nullable(text),
    salesOwner: nullable(text),
    csOwner: nullable(text),
    csQueue: nullable(text),
    onboarding: nullable(closed<NonNullable<AccountState['onboarding']>>({ owner: nullable(text), until: time, completed: bool }, "Who owns the customer's first 30 days, and until when")),
    wonAt: nullable(time),
    handoffs: list(closed<AccountState['handoffs'][number]>({ opportunityId: text, leadId: text, at: time, arr: num, missing: texts })),
    context: freeForm('The context sales recorded on the won opportunity'),
    kickoff: nullable(closed<RunningClock>(clockFields, 'The sales -> CS kickoff clock')),
    kickoffHeldAt: nullable(time),
    breachedCsms: texts,
    reassignments: count,
    clocks: count,
    contract: closed<AccountState['contract']>({ start: nullable(text), end: nullable(text) }, 'A date or date-time each, as the CRM sent them'),
    renewal: nullable(
      closed<NonNullable<AccountState['renewal']>>({
        contractEnd: text,
        dueAt: time,
        reminders: list(closed<{ offset: string; at: string }>({ offset: text, at: time })),
        passed: texts,
        notify: texts,
        rule: nullable(text),
        sent: texts,
        overdue: bool,
      }),
    ),
    health: nullable(
      closed<NonNullable<AccountState['health']>>({
        score: num,
        band: members<HealthResult['band']>()(HEALTH_BANDS),
        signals: texts,
        at: time,
        playbook: nullable(text),
        report: optional(freeForm('The latest health report')),
      }),
    ),
    referrals: list(
      closed<Referral>({
        leadId: text,
        eventId: text,
        submittedAt: time,
        company: nullable(text),
        status: members<Referral['status']>()(['submitted', 'won']),
        arr: nullable(num),
        wonAt: nullable(time),
      }),
    ),
    referredArr: num,
    churn: nullable(closed<NonNullable<AccountState['churn']>>({ at: time, reason: text })),
    closesAt: nullable(time),
    failures: optional(list(ref('RecordFailure'))),
    closedAt: optional(nullable(time)),
    imported: optional({ ...bool, description: 'Set on an existing customer brought in by `account.imported` (no hand-off, kickoff clock or onboarding)' }),
    importedAt: optional(nullable(time)),
    importedFrom: optional(nullable(text)),
    seq: count,
    rulesRevision: nullable(text),
    decisions: list(ref('DecisionRecord')),
    ignored: list(ref('IgnoredEvent')),
    seen: list(text, 'Keys of the latest events applied, so a redelivery has no second effect'),
    seenDigests: optional(list({ type: 'integer' }, 'Digests of older applied keys')),
    early: list(ref('EarlyAccountEvent')),
    runs: count,
  },
  "The account workflow's `state` query answer: ARR, CS owner and onboarding, kickoff clock, contract and renewal reminders, health, referrals, decisions and ignored events",
);

const internalAccountEvents = members<AccountInternalEventType>()(['handoff.received', 'referral.won']).enum as string[];

/** OpenAPI components of the state reads; LeadState and AccountState are the answers. */
export const STATE_SCHEMAS: Record<string, Schema> = {
  LeadState: leadState,
  AccountState: accountState,
  DecisionRecord: decisionRecord,
  IgnoredEvent: ignoredEvent,
  RecordFailure: recordFailure,
  EarlyLeadEvent: earlyEvent(catalogTypes('lead')),
  EarlyAccountEvent: earlyEvent([...catalogTypes('account'), ...internalAccountEvents]),
};
