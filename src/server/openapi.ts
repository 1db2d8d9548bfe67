import { EVENT_TYPES } from '../events/catalog.ts';
import { DEV_SINK_PATH } from './routes/devSink.ts';
import { readEventSchema } from '../events/schemaFiles.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../events/signature.ts';
import { PROBLEM_TYPES } from './problem.ts';
import { DECISION_SCHEMAS } from './openapiDecisions.ts';
import { CLOUDEVENTS_BATCH_JSON, CLOUDEVENTS_JSON, PLAIN_JSON } from './rawBody.ts';
import { codecPaths } from './openapiCodec.ts';
import { batchExamples, eventExampleComponents, singleEventExamples } from './openapiExamples.ts';
import { STATE_SCHEMAS } from './openapiState.ts';
import { operationsPaths, operationsSchema } from './ops/openapi.ts';

type Json = Record<string, unknown>;

/** Names of the published JSON Schema files, e.g. `lead.created` for `lead.created.schema.json`. */
export const EVENT_SCHEMA_NAMES: readonly string[] = ['cloudevent', ...new Set(Object.values(EVENT_TYPES).map((t) => t.schema))];

// Embedded as OpenAPI components: `$schema`/`$id` would make some tools resolve them as separate documents.
function embedded(name: string): Json {
  const { $schema: _s, $id: _i, ...rest } = readEventSchema(name);
  return { ...rest, externalDocs: { description: 'The same schema as a standalone file', url: `/schemas/events/${name}.schema.json` } };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problemJson = (schema = 'Problem') => ({ 'application/problem+json': { schema: ref(schema) } });
const problemResponse = (description: string, schema?: string) => ({ description, content: problemJson(schema) });

function eventComponents(): Json {
  const components: Json = { CloudEvent: embedded('cloudevent') };
  for (const name of EVENT_SCHEMA_NAMES.slice(1)) components[`${name}.data`] = embedded(name);
  for (const [type, { schema }] of Object.entries(EVENT_TYPES)) {
    components[`event.${type}`] = {
      title: type,
      allOf: [ref('CloudEvent'), { type: 'object', properties: { type: { const: type }, data: ref(`${schema}.data`) } }],
    };
  }
  const types = Object.keys(EVENT_TYPES);
  components.Event = {
    description: `A CloudEvents 1.0 event in structured JSON mode. \`subject\` is the lead's CRM id. Known types: ${types.join(', ')}.`,
    oneOf: types.map((t) => ref(`event.${t}`)),
    discriminator: { propertyName: 'type', mapping: Object.fromEntries(types.map((t) => [t, `#/components/schemas/event.${t}`])) },
  };
  components.EventBatch = { type: 'array', minItems: 1, items: ref('Event') };
  return components;
}

const acceptedEvent = {
  type: 'object',
  required: ['id', 'source', 'type', 'workflowId', 'duplicate'],
  properties: {
    id: { type: 'string' },
    source: { type: 'string' },
    type: { type: 'string' },
    workflowId: { type: 'string', description: 'The workflow that received the event: `lead:<subject>` or `account:<subject>`' },
    duplicate: { type: ['boolean', 'null'], description: 'true when an event with the same source and id was accepted before; null when the receipt store was unavailable' },
  },
};

const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', enum: Object.keys(PROBLEM_TYPES).map((s) => `/problems/${s}`) },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      description: 'Every invalid field, as a JSON pointer (RFC 6901) into the request body; in a batch it starts with the event index',
      items: { type: 'object', required: ['pointer', 'detail'], properties: { pointer: { type: 'string', examples: ['/2/data/email'] }, detail: { type: 'string' } } },
    },
  },
};

const signatureDescription =
  `HMAC-SHA256 over \`<timestamp>.<body>\` with the shared ingest secret, sent as \`${SIGNATURE_HEADER}: sha256=<hex>\` ` +
  `together with \`${TIMESTAMP_HEADER}: <Unix seconds>\`. Timestamps further than the configured tolerance (default 300 s) from ` +
  'the server clock are refused. For requests without a body (GET) the signed text is `<timestamp>.<path and query>`. ' +
  '`flywheel dev` without a secret does not check signatures.';

const signed = [{ signatureHeader: [], timestampHeader: [] }];
const signatureParams = [{ $ref: '#/components/parameters/Timestamp' }, { $ref: '#/components/parameters/Signature' }];

/** GET of a workflow's `state` query (leads, accounts): same parameters and answers, its own state schema. */
function stateRead(operationId: string, noun: string, summary: string, idDescription: string, schema: string): Json {
  return {
    get: {
      operationId,
      summary,
      description:
        `The ${noun} workflow's answer to its \`state\` query, exactly as \`${schema}\` describes it (every field, closed objects). ` +
        `It answers while the workflow runs and, after it completed, until Temporal's retention removes it; then 404, and the ${noun}'s decisions stay readable from the ledger at /v1/${noun}s/{id}/decisions.`,
      security: signed,
      parameters: [{ name: 'id', in: 'path', required: true, description: idDescription, schema: { type: 'string' } }, ...signatureParams],
      responses: {
        '200': { description: 'The state', content: { 'application/json': { schema: ref(schema) } } },
        '401': problemResponse('Missing, invalid or stale signature'),
        '404': problemResponse(`No workflow for this ${noun}`),
        '503': problemResponse('Temporal did not answer'),
      },
    },
  };
}

/** GET of a record's decisions from the ledger (leads, accounts): the answer of `flywheel lead|account why --json`. */
function decisionsRead(operationId: string, noun: string): Json {
  return {
    get: {
      operationId,
      summary: `Why this ${noun} has its owner and deadline: its decisions, from the ledger`,
      description:
        `Every decision recorded for the ${noun}, in time order and grouped by occasion: kind, outcome, the rules that matched (described from the ` +
        'current rules, or marked gone), the rules revision, the inputs read (personal values masked) and, for routing, each candidate and why they were ' +
        `chosen or skipped. A summary comes first: the current owner, the current deadline and the reassignments with their reason. Read from the ledger, so it answers after the ${noun}'s workflow closed. The same answer as \`flywheel ${noun} why --json\`.`,
      security: signed,
      parameters: [{ name: 'id', in: 'path', required: true, description: `The ${noun}'s CRM id`, schema: { type: 'string' } }, ...signatureParams],
      responses: {
        '200': { description: 'The decisions', content: { 'application/json': { schema: ref('Decisions') } } },
        '401': problemResponse('Missing, invalid or stale signature'),
        '404': problemResponse(`The ledger holds no decision for this ${noun}`),
        '503': problemResponse('The ledger did not answer'),
      },
    },
  };
}

/** HubSpot's webhook subscriptions (connections.hubspot), signed by HubSpot rather than with the ingest secret. */
const HUBSPOT_WEBHOOK: Json = {
  post: {
    operationId: 'hubspotWebhook',
    summary: 'HubSpot webhook subscriptions (contact, deal and company events), signed with X-HubSpot-Signature-v3',
    description:
      "HubSpot's JSON array of subscription events. Verified with X-HubSpot-Signature-v3 (base64 HMAC-SHA256 with the app's client secret over method + URL + body + " +
      "X-HubSpot-Request-Timestamp in milliseconds; v1/v2 only when configured), read through HubSpot's CRM API and delivered like POST /v1/events. " +
      'Answers 202 only once Temporal has every event; subscription types Flywheel has no event for, and changes this app made itself, are acknowledged and recorded as ignored.',
    security: [],
    requestBody: {
      required: true,
      content: {
        [PLAIN_JSON]: { schema: { type: 'array', minItems: 1, items: { type: 'object', required: ['eventId', 'subscriptionId', 'portalId', 'appId', 'occurredAt', 'subscriptionType', 'objectId'] } } },
      },
    },
    responses: {
      '202': {
        description: 'Delivered (`accepted`) and recorded as ignored (`ignored`)',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['accepted', 'ignored'],
              properties: { accepted: { type: 'array', items: ref('AcceptedEvent') }, ignored: { type: 'array', items: { type: 'object' } } },
            },
          },
        },
      },
      '400': problemResponse('Not a batch of HubSpot subscription events'),
      '401': problemResponse('Missing, invalid or stale HubSpot signature'),
      '403': problemResponse('Events of another HubSpot app or portal'),
      '415': problemResponse(`Media type other than ${PLAIN_JSON}`),
      '503': problemResponse('HubSpot, Temporal or the ledger did not answer (Retry-After); HubSpot delivers the batch again'),
    },
  },
};

/** Salesforce Outbound Messages (connections.salesforce): SOAP, not signed; the org id and an optional URL token. */
const SALESFORCE_OUTBOUND_MESSAGE: Json = {
  post: {
    operationId: 'salesforceOutboundMessage',
    summary: 'Salesforce Outbound Messages (SOAP notifications from a Flow): Lead, Contact and Opportunity changes',
    description:
      "Salesforce's SOAP 1.1 `notifications` request (up to 100 Notification elements). Messages of another OrganizationId are refused; when the configured token variable is set, the URL must carry `?token=`. " +
      'Lead and Contact notifications become lead.created / lead.updated, Opportunity notifications opportunity.created / won / lost for the lead of their ContactId; the CloudEvent id is the notification id, so a redelivery is applied once. ' +
      'Answers the `notificationsResponse` Ack only once Temporal has every event; every other answer is a SOAP fault (its detail holds the problem details, RFC 9457 XML), and Salesforce retries for up to 24 hours.',
    security: [],
    parameters: [
      { name: 'token', in: 'query', required: false, schema: { type: 'string' }, description: 'The shared token, when connections.salesforce.outboundMessageTokenEnv names a set variable' },
    ],
    requestBody: { required: true, content: { 'text/xml': { schema: { type: 'string' } } } },
    responses: {
      '200': { description: 'The Ack: `<notificationsResponse><Ack>true</Ack></notificationsResponse>`', content: { 'text/xml': { schema: { type: 'string' } } } },
      '400': { description: 'SOAP fault (Client): not a well-formed Outbound Message', content: { 'text/xml': { schema: { type: 'string' } } } },
      '401': { description: 'SOAP fault (Client): the URL lacks the right token', content: { 'text/xml': { schema: { type: 'string' } } } },
      '403': { description: 'SOAP fault (Client): another Salesforce organization', content: { 'text/xml': { schema: { type: 'string' } } } },
      '415': problemResponse('Media type other than text/xml'),
      '503': { description: 'SOAP fault (Server): Temporal did not accept the events (Retry-After); Salesforce sends the message again', content: { 'text/xml': { schema: { type: 'string' } } } },
    },
  },
};

function paths(opts: { devSink: boolean; bodyLimitBytes: number; hubspot?: boolean; salesforce?: boolean; codec?: boolean; operations?: boolean; metrics?: boolean }): Json {
  const p: Json = {
    '/v1/events': {
      post: {
        operationId: 'ingestEvents',
        summary: 'Deliver CRM events to their lead and account workflows',
        description:
          'Answers 202 only after Temporal accepted every event (signalWithStart), so a retried request never loses one. ' +
          'A batch is delivered in order per lead or account; if any event is invalid nothing of the batch is delivered. Redelivery (same source and id) has no second effect.',
        security: signed,
        parameters: signatureParams,
        requestBody: {
          required: true,
          content: {
            [CLOUDEVENTS_JSON]: { schema: ref('Event'), examples: singleEventExamples() },
            [PLAIN_JSON]: { schema: ref('Event'), examples: singleEventExamples() },
            [CLOUDEVENTS_BATCH_JSON]: { schema: ref('EventBatch'), examples: batchExamples() },
          },
        },
        responses: {
          '202': {
            description: 'Every event was accepted by its workflow',
            content: { 'application/json': { schema: { type: 'object', required: ['accepted'], properties: { accepted: { type: 'array', items: ref('AcceptedEvent') } } } } },
          },
          '400': problemResponse('Malformed JSON, wrong shape for the media type, or invalid fields (all listed in `errors`)'),
          '401': problemResponse('Missing, invalid or stale signature'),
          '413': problemResponse(`Body over ${opts.bodyLimitBytes} bytes`),
          '415': problemResponse(`Media type other than ${CLOUDEVENTS_JSON}, ${CLOUDEVENTS_BATCH_JSON} or ${PLAIN_JSON}`),
          '500': problemResponse('Unexpected error'),
          '503': problemResponse('Temporal did not accept an event; `accepted` lists those delivered before the failure. Retry the whole request.', 'DeliveryProblem'),
        },
      },
    },
    '/v1/leads/{id}': stateRead('getLead', 'lead', "A lead's current state, from its workflow", "The lead's CRM id (the events' subject)", 'LeadState'),
    '/v1/accounts/{id}': stateRead('getAccount', 'account', "A customer account's current state, from its workflow", "The account's CRM id (the account events' subject)", 'AccountState'),
    '/v1/leads/{id}/decisions': decisionsRead('getLeadDecisions', 'lead'),
    '/v1/accounts/{id}/decisions': decisionsRead('getAccountDecisions', 'account'),
    '/healthz': {
      get: {
        operationId: 'health',
        summary: 'Whether Temporal and the ledger answer',
        description: 'Checks each dependency and reports it in `checks`; 503 with the same body when one fails, so a load balancer can take the instance out.',
        security: [],
        responses: {
          '200': { description: 'All dependencies answer', content: { 'application/json': { schema: ref('Health') } } },
          '503': { description: 'A dependency failed', content: { 'application/json': { schema: ref('Health') } } },
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This document',
        description: 'The OpenAPI 3.1 description of this API, as this server is configured (optional connectors appear only when on).',
        security: [],
        responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': {} } } },
      },
    },
    '/schemas/events/{file}': {
      get: {
        operationId: 'eventSchema',
        summary: 'The JSON Schemas of the event envelope and each event type',
        description: 'The schema files POST /v1/events validates with (draft-07), the same ones embedded in this document as components.',
        security: [],
        parameters: [{ name: 'file', in: 'path', required: true, schema: { enum: EVENT_SCHEMA_NAMES.map((n) => `${n}.schema.json`) } }],
        responses: { '200': { description: 'JSON Schema (draft-07)', content: { 'application/schema+json': {} } }, '404': problemResponse('No such schema') },
      },
    },
    '/problems/{slug}': {
      get: {
        operationId: 'problemType',
        summary: 'Describes a problem `type`',
        description: 'The `type` of every problem+json answer is a link here: one line with the slug and what it means.',
        security: [],
        parameters: [{ name: 'slug', in: 'path', required: true, schema: { enum: Object.keys(PROBLEM_TYPES) } }],
        responses: { '200': { description: 'Plain text', content: { 'text/plain': {} } }, '404': problemResponse('No such problem type') },
      },
    },
  };
  if (opts.hubspot) p['/v1/connectors/hubspot/webhook'] = HUBSPOT_WEBHOOK;
  if (opts.salesforce) p['/v1/connectors/salesforce/outbound-message'] = SALESFORCE_OUTBOUND_MESSAGE;
  if (opts.codec) Object.assign(p, codecPaths(problemResponse));
  if (opts.operations) Object.assign(p, operationsPaths(problemResponse));
  if (opts.metrics) p['/metrics'] = METRICS;
  if (opts.devSink) {
    p[DEV_SINK_PATH] = {
      post: {
        operationId: 'devCrmSinkReceive',
        summary: '`flywheel dev` only: a stand-in CRM receiving Flywheel webhooks',
        description: 'Keeps each webhook Flywheel sends (assignments, escalations) so a developer can see them without a CRM.',
        security: [],
        requestBody: { content: { [PLAIN_JSON]: {} } },
        responses: { '204': { description: 'Kept' }, '400': problemResponse('Not a JSON body'), '401': problemResponse('Bad signature (only when FLYWHEEL_WEBHOOK_SECRET is set)') },
      },
      get: {
        operationId: 'devCrmSinkList',
        summary: '`flywheel dev` only: the last 1000 webhooks received',
        description: '`{ count, capacity, received }`: each webhook with when it arrived, whether it was signed (and verified), its Idempotency-Key and its body.',
        security: [],
        responses: { '200': { description: 'Oldest first', content: { 'application/json': {} } } },
      },
    };
  }
  return p;
}

const METRICS = {
  get: {
    operationId: 'metrics',
    summary: 'Prometheus metrics of this process',
    description:
      "Text exposition format: ingest counts, speed-to-lead, SLA clocks, rules, ledger writes, notifications and, where a worker runs, the Temporal SDK's own series (docs/observability.md).",
    security: [],
    responses: { '200': { description: 'Prometheus text exposition (version 0.0.4)', content: { 'text/plain': { schema: { type: 'string' } } } } },
  },
};

/** The API description, assembled from the event catalogue and the schema files the validator uses, so it cannot drift. */
export function openApiDocument(opts: { devSink?: boolean; bodyLimitBytes?: number; hubspot?: boolean; salesforce?: boolean; codec?: boolean; operations?: boolean; metrics?: boolean } = {}): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Flywheel API',
      version: '1',
      description: 'CRM events in (CloudEvents 1.0), lead and account state out. Every error is RFC 9457 problem+json.',
    },
    paths: paths({
      devSink: opts.devSink ?? false,
      bodyLimitBytes: opts.bodyLimitBytes ?? 1024 * 1024,
      hubspot: opts.hubspot ?? false,
      salesforce: opts.salesforce ?? false,
      codec: opts.codec ?? false,
      operations: opts.operations ?? false,
      metrics: opts.metrics ?? false,
    }),
    components: {
      schemas: {
        ...eventComponents(),
        AcceptedEvent: acceptedEvent,
        Problem: problemSchema,
        DeliveryProblem: {
          allOf: [ref('Problem'), { type: 'object', properties: { accepted: { type: 'array', items: ref('AcceptedEvent') }, failed: { type: 'array', items: { type: 'object' } } } }],
        },
        ...STATE_SCHEMAS,
        ...DECISION_SCHEMAS,
        Operations: operationsSchema,
        Health: { type: 'object', required: ['status', 'checks'], properties: { status: { enum: ['ok', 'degraded'] }, checks: { type: 'object' } } },
      },
      examples: eventExampleComponents(),
      parameters: {
        Timestamp: { name: TIMESTAMP_HEADER, in: 'header', description: 'Unix seconds when the request was signed', schema: { type: 'string', pattern: '^\\d{1,12}$' } },
        Signature: { name: SIGNATURE_HEADER, in: 'header', description: signatureDescription, schema: { type: 'string', pattern: '^sha256=[0-9a-f]{64}$' } },
      },
      securitySchemes: {
        signatureHeader: { type: 'apiKey', in: 'header', name: SIGNATURE_HEADER, description: signatureDescription },
        timestampHeader: { type: 'apiKey', in: 'header', name: TIMESTAMP_HEADER, description: 'Signed together with the body; see signatureHeader' },
        codecToken: { type: 'http', scheme: 'bearer', description: 'FLYWHEEL_CODEC_TOKEN (codec endpoint only)' },
        opsToken: { type: 'http', scheme: 'bearer', description: 'FLYWHEEL_OPS_TOKEN (operations page only, when set)' },
        opsBasic: { type: 'http', scheme: 'basic', description: 'FLYWHEEL_OPS_TOKEN as the password, any user name (a browser prompts for it)' },
      },
    },
  };
}
