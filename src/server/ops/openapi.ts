/** OpenAPI paths of the operations page and its JSON twin (src/server/routes/operations.ts), when the page is on. */
import { HANDOFFS } from '../../metrics/handoffs.ts';

type Json = Record<string, unknown>;

const iso = { type: 'string', format: 'date-time' };
const nullable = (t: Json): Json => ({ oneOf: [t, { type: 'null' }] });
const link = { ...nullable({ type: 'string', format: 'uri' }), description: "The workflow's page in the Temporal Web UI; null without FLYWHEEL_TEMPORAL_UI_URL" };
/** Which record a row is about: a lead's first-touch clock or an account's CS kickoff clock, never both. */
const record: Json = {
  handoff: { enum: [...HANDOFFS], description: "marketing-to-sales: a lead's first-touch clock; sales-to-cs: an account's CS kickoff clock" },
  leadId: { ...nullable({ type: 'string' }), description: 'Set on marketing-to-sales rows, null on sales-to-cs rows' },
  accountId: { ...nullable({ type: 'string' }), description: 'Set on sales-to-cs rows, null on marketing-to-sales rows' },
};
const counts: Json = {
  type: 'object',
  required: ['running', 'warned', 'paused', 'dueSoon', 'overdue', 'breachedToday'],
  properties: Object.fromEntries(['running', 'warned', 'paused', 'dueSoon', 'overdue', 'breachedToday'].map((k) => [k, { type: 'integer', minimum: 0 }])),
};
const clock: Json = {
  type: 'object',
  required: ['handoff', 'leadId', 'accountId', 'link', 'status', 'owner', 'deadline', 'msLeft'],
  properties: {
    ...record,
    link,
    status: { enum: ['running', 'warned', 'paused'] },
    owner: { ...nullable({ type: 'string' }), description: 'Rep or CSM id, or the pool a pool lead waits in, or the CS queue of an account without an owner' },
    tier: { ...nullable({ type: 'string' }), description: "The lead's tier; null on account rows" },
    rule: nullable({ type: 'string' }),
    deadline: iso,
    msLeft: { type: 'number', description: 'Negative: the deadline passed and the breach is not on record yet' },
    pausedReason: nullable({ type: 'string' }),
    pausedUntil: nullable(iso),
  },
};
const list = (items: Json): Json => ({ type: 'array', maxItems: 25, items });

/** The JSON model (src/server/ops/model.ts); ids, owners, tiers and times only. */
export const operationsSchema: Json = {
  type: 'object',
  required: ['generatedAt', 'timezone', 'todayFrom', 'temporalUi', 'sla', 'reps', 'queues', 'routing', 'rules', 'visibility'],
  properties: {
    generatedAt: iso,
    timezone: { type: 'string', description: "The organisation's time zone; today counts from its midnight" },
    todayFrom: iso,
    temporalUi: nullable({ type: 'string' }),
    sla: {
      type: 'object',
      required: ['counts', 'board', 'paused', 'held', 'breachesToday', 'buckets'],
      properties: {
        counts: {
          type: 'object',
          description: 'Both hand-offs together, held leads, and each hand-off apart (byHandoff)',
          required: [...(counts.required as string[]), 'held', 'byHandoff'],
          properties: {
            ...(counts.properties as Json),
            held: { type: 'integer', minimum: 0 },
            byHandoff: { type: 'object', required: [...HANDOFFS], additionalProperties: false, properties: Object.fromEntries(HANDOFFS.map((h) => [h, counts])) },
          },
        },
        board: { ...list(clock), description: 'Running and warned clocks, soonest deadline first' },
        paused: list(clock),
        held: list({
          type: 'object',
          properties: {
            leadId: { type: 'string' },
            link,
            queue: { type: 'string' },
            since: iso,
            waitingMs: { type: 'number' },
            reasons: { type: 'array', items: { type: 'string' } },
            nextAt: nullable(iso),
          },
        }),
        breachesToday: list({
          type: 'object',
          required: ['handoff', 'leadId', 'accountId', 'link', 'at'],
          properties: { ...record, link, at: iso, owner: nullable({ type: 'string' }), rule: nullable({ type: 'string' }), deadline: nullable(iso) },
        }),
        buckets: { type: 'array', items: { type: 'object', properties: { label: { type: 'string' }, n: { type: 'integer' } } } },
      },
    },
    reps: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          rep: { type: 'string' },
          team: { type: 'string' },
          open: { type: 'integer' },
          capacity: nullable({ type: 'integer' }),
          load: nullable({ type: 'number' }),
          active: { type: 'boolean' },
        },
      },
    },
    queues: {
      type: 'array',
      items: {
        type: 'object',
        properties: { queue: { type: 'string' }, strategy: { enum: ['weighted-round-robin', 'pool'] }, open: { type: 'integer' }, held: { type: 'integer' }, members: { type: 'integer' } },
      },
    },
    routing: { type: 'object', description: 'Weighted round robin placements per queue in the window: actual share against the share the weights ask for' },
    rules: { type: 'object', description: "Revision of this API's rules cache, the live workers' revisions (heartbeats), open leads per revision, shadow disagreements today" },
    visibility: { type: 'object', description: 'Open lead workflows per SlaStatus from Temporal visibility, or `{ ok: false, error }` when the server offers none' },
  },
};

export function operationsPaths(problemResponse: (description: string) => Json): Json {
  const security = [{ opsToken: [] }, { opsBasic: [] }];
  const responses = (ok: Json): Json => ({
    '200': ok,
    '401': problemResponse('FLYWHEEL_OPS_TOKEN is set and the request does not carry it (WWW-Authenticate: Basic prompts a browser)'),
    '503': problemResponse('The ledger did not answer'),
  });
  return {
    '/operations': {
      get: {
        operationId: 'operationsPage',
        summary: 'The live operations page: SLA board, load and capacity, routing share, rules revisions',
        description: 'Server-rendered HTML with inline SVG charts; reloads itself every 20 s. Lead and account ids link to their workflow in the Temporal Web UI.',
        security,
        responses: responses({ description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } }),
      },
    },
    '/v1/operations': {
      get: {
        operationId: 'getOperations',
        summary: 'The data of the operations page, as JSON',
        description:
          'The model the page renders, for scripts and alerts: open SLA clocks of both hand-offs (the lead first touch and the account CS kickoff) from the ledger (deadline order), breaches since midnight in the organisation time zone, held leads, load per rep, routing share against the weights, rules revisions, and open lead workflows per SlaStatus from Temporal visibility. Ids, owners, tiers and times only.',
        security,
        responses: responses({ description: 'The model the page renders', content: { 'application/json': { schema: { $ref: '#/components/schemas/Operations' } } } }),
      },
    },
  };
}
