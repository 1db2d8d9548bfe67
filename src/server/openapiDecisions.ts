/** OpenAPI components of GET /v1/{leads|accounts}/{id}/decisions: the shape of src/decisions/why.ts WhyAnswer. */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const text = { type: 'string' };
const maybeText = { type: ['string', 'null'] };
const ids = { type: 'array', items: text };

const rule = {
  type: 'object',
  description: 'A rule that matched, described from the rules folder as it is now',
  required: ['id', 'now', 'description'],
  properties: {
    id: text,
    now: {
      enum: ['present', 'gone', 'unknown'],
      description: '`present`: the current rules still have this id (description from there); `gone`: they no longer do; `unknown`: the current rules did not load',
    },
    description: maybeText,
  },
};

const candidate = {
  type: 'object',
  description: 'A rep routing looked at, in order, and why they were chosen or skipped',
  required: ['rep', 'queue', 'verdict'],
  properties: {
    rep: text,
    queue: text,
    verdict: {
      type: 'string',
      examples: ['chosen', 'weight-turn', 'outside-hours', 'out-of-office', 'at-capacity', 'inactive', 'excluded'],
      description: "`excluded`: left out because they breached this record's SLA before",
    },
    detail: text,
  },
};

const decision = {
  type: 'object',
  required: ['kind', 'at', 'outcome', 'label', 'rules', 'revision', 'inputs', 'replayable'],
  properties: {
    kind: { type: 'string', examples: ['icp', 'routing', 'sla', 'cs-routing'] },
    at: { type: 'string', format: 'date-time' },
    outcome: { description: "The matched rules' outcome (kind-specific)" },
    label: { type: 'string', examples: ['tier B', 'queue mid-market', 'target 4h'] },
    rules: { type: 'array', items: ref('DecisionRule') },
    noMatch: { type: 'string', description: 'Why no rule matched, as the rule set declares it' },
    revision: { ...maybeText, description: 'The rules revision that decided' },
    inputs: {
      type: 'array',
      description: 'Every facts path the rules read, with the value seen; personal values (e-mail, phone, names) are masked',
      items: { type: 'object', required: ['path', 'value'], properties: { path: text, value: {}, masked: { const: true } } },
    },
    candidates: { type: 'array', items: ref('RoutingCandidate') },
    result: { type: 'object', description: 'What the workflow did with the decision: owner, queue, strategy, reason, deadline...', additionalProperties: true },
    replayable: { type: 'boolean', description: 'Whether the row carries the complete facts, so the decision can be decided again' },
    note: text,
  },
};

const answer = {
  type: 'object',
  description: "Why a record has its owner and deadline, from the ledger: a summary, then every decision grouped by occasion in time order. Available after the record's workflow closed.",
  required: ['entity', 'id', 'decisions', 'first', 'last', 'rulesNow', 'summary', 'occasions'],
  properties: {
    entity: { enum: ['lead', 'account'] },
    id: text,
    decisions: { type: 'integer', minimum: 1 },
    first: { type: 'string', format: 'date-time' },
    last: { type: 'string', format: 'date-time' },
    rulesNow: { type: 'object', required: ['revision'], properties: { revision: maybeText, error: text } },
    summary: {
      type: 'object',
      required: ['owner', 'deadline', 'reassignments'],
      properties: {
        owner: {
          type: ['object', 'null'],
          description: 'The owner the last routing (lead) or cs-routing (account) decision gave, and the rules behind it',
          properties: { owner: maybeText, queue: maybeText, strategy: maybeText, reason: maybeText, kind: text, rules: ids, revision: maybeText, at: text },
        },
        deadline: {
          type: ['object', 'null'],
          description: 'The deadline of the last sla decision (the hand-off or kick-off clock), and the rules behind it',
          properties: { deadline: maybeText, target: maybeText, warnAt: maybeText, calendar: maybeText, owner: maybeText, rules: ids, revision: maybeText, at: text },
        },
        reassignments: {
          type: 'array',
          items: {
            type: 'object',
            required: ['at', 'from', 'to', 'reason', 'excluded'],
            properties: { at: text, from: maybeText, to: maybeText, reason: { type: 'string', examples: ['sla-breach', 'overflow'] }, excluded: ids, rules: ids, revision: maybeText },
          },
        },
      },
    },
    occasions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['occasion', 'at', 'decisions'],
        properties: {
          occasion: { type: 'string', examples: ['attract:2027-01-04T15:30:00.000Z', 'route:1', 'clock:0'] },
          at: text,
          revision: maybeText,
          decisions: { type: 'array', items: ref('Decision') },
        },
      },
    },
  },
};

export const DECISION_SCHEMAS = { Decisions: answer, Decision: decision, DecisionRule: rule, RoutingCandidate: candidate };
