import { ASSOCIATION_TYPE_IDS, HubSpotContractServer, pluralType, type ContractReply, type ContractRoute, type HubSpotOwner, type HubSpotRecord, type RouteContext } from './server.ts';

/**
 * The HubSpot endpoints Flywheel's write-back calls, on the contract server core (server.ts), from HubSpot's published
 * reference: CRM v3 object update (PATCH), the Owners API (list with `email` / `after` / `limit`, read one), tasks
 * (create with associations, search). Each checks the request the way HubSpot does (properties must exist in the
 * portal, owners must be real, enumerations take their documented options, `hs_timestamp` is required on a task, the
 * association type must be a HubSpot-defined one from tasks) and records every write (`server.writes`).
 *
 *   PATCH /crm/v3/objects/{objectType}/{objectId}   contacts, companies, deals
 *   GET   /crm/v3/owners                            email, after, limit (<= 500), archived
 *   GET   /crm/v3/owners/{ownerId}                  idProperty=id|userId, archived
 *   POST  /crm/v3/objects/tasks                     properties + associations
 *   POST  /crm/v3/objects/{objectType}/search       filterGroups (<= 5, <= 6 filters each), limit (<= 200), after
 */
export function registerWrites(server: HubSpotContractServer): void {
  server.register(WRITE_ROUTES);
}

/** Options of HubSpot's default enumeration properties (a portal can add options; these are the shipped ones). */
export const ENUM_OPTIONS: Record<string, Record<string, string[]>> = {
  contacts: {
    lifecyclestage: ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'],
    hs_lead_status: ['NEW', 'OPEN', 'IN_PROGRESS', 'OPEN_DEAL', 'UNQUALIFIED', 'ATTEMPTED_TO_CONTACT', 'CONNECTED', 'BAD_TIMING'],
  },
  tasks: {
    hs_task_status: ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED'],
    hs_task_priority: ['NONE', 'LOW', 'MEDIUM', 'HIGH'],
    hs_task_type: ['EMAIL', 'CALL', 'TODO', 'LINKED_IN', 'LINKED_IN_CONNECT', 'LINKED_IN_MESSAGE'],
  },
};

/** Date-time properties: HubSpot takes epoch milliseconds or ISO 8601 and answers ISO 8601. */
const DATETIME_PROPERTIES = new Set(['hs_timestamp', 'hs_task_completion_date', 'createdate', 'lastmodifieddate', 'hs_lastmodifieddate', 'hs_createdate', 'closedate']);

/** Search limits from HubSpot's CRM search reference. */
export const SEARCH_LIMITS = { filterGroups: 5, filtersPerGroup: 6, filtersTotal: 18, pageSize: 200 } as const;
/** The owners list answers at most this many per page. */
export const OWNERS_PAGE_LIMIT = 500;

interface PropertyProblem {
  name: string;
  error: string;
  message: string;
}

/**
 * HubSpot's answer to property values it refuses: 400 VALIDATION_ERROR whose message embeds the list of problems
 * ("Property values were not valid: [{"isValid":false,"message":...,"error":"PROPERTY_DOESNT_EXIST","name":...}]").
 */
export function invalidProperties(problems: PropertyProblem[]): ContractReply {
  const list = problems.map((p) => ({ isValid: false, message: p.message, error: p.error, name: p.name, localizedErrorMessage: p.message }));
  return HubSpotContractServer.error(400, 'VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify(list)}`);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function toInstant(v: string): number | null {
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

/**
 * Checks a write's `properties` the way HubSpot does and returns them as stored strings, or the refusal. Values are
 * strings (numbers and booleans are taken as HubSpot takes them); an empty string clears a property.
 */
function checkProperties(server: HubSpotContractServer, t: string, properties: unknown): { ok: Record<string, string> } | { reply: ContractReply } {
  if (!isObject(properties))
    return {
      reply: HubSpotContractServer.validation('Invalid input JSON on line 1 : Missing required field: properties', [{ message: 'properties is required', code: 'REQUIRED_FIELD', in: 'properties' }]),
    };
  const problems: PropertyProblem[] = [];
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(properties)) {
    if (!server.isKnownProperty(t, name)) {
      problems.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
      continue;
    }
    if (raw !== null && typeof raw === 'object') {
      problems.push({ name, error: 'INVALID_PROPERTY_VALUE', message: `${JSON.stringify(raw)} is not a valid value for ${name}` });
      continue;
    }
    const value = raw === null ? '' : String(raw);
    if (value === '') {
      out[name] = '';
      continue;
    }
    const options = ENUM_OPTIONS[t]?.[name];
    if (options && !options.includes(value)) {
      problems.push({ name, error: 'INVALID_OPTION', message: `${value} was not one of the allowed options: ${options.join(', ')}` });
      continue;
    }
    if (name === 'hubspot_owner_id' && !ownerById(server, value)) {
      problems.push({ name, error: 'INVALID_OWNER_ID', message: `${value} is not a valid owner id` });
      continue;
    }
    if (DATETIME_PROPERTIES.has(name)) {
      const at = toInstant(value);
      if (at === null) {
        problems.push({ name, error: 'INVALID_DATE', message: `${value} is not a valid date-time: use epoch milliseconds or ISO 8601` });
        continue;
      }
      out[name] = new Date(at).toISOString();
      continue;
    }
    out[name] = value;
  }
  return problems.length ? { reply: invalidProperties(problems) } : { ok: out };
}

function ownerById(server: HubSpotContractServer, id: string, archived = false): HubSpotOwner | undefined {
  const o = server.owners.get(id);
  return o && (o.archived ?? false) === archived ? o : undefined;
}

/** An owner as the Owners API presents it. */
function presentOwner(o: HubSpotOwner): Record<string, unknown> {
  return {
    id: o.id,
    email: o.email,
    firstName: o.firstName ?? '',
    lastName: o.lastName ?? '',
    userId: o.archived ? null : (o.userId ?? Number(o.id)),
    userIdIncludingInactive: o.userId ?? Number(o.id),
    type: 'PERSON',
    createdAt: o.createdAt ?? '2019-10-30T03:30:17.883Z',
    updatedAt: o.updatedAt ?? '2019-12-07T16:50:06.678Z',
    archived: o.archived ?? false,
    ...(o.teams ? { teams: o.teams } : {}),
  };
}

/** The owners list's paging cursor: opaque to the client, an offset here. */
function cursor(offset: number): string {
  return Buffer.from(`owners:${offset}`).toString('base64url');
}
function offsetOf(after: string): number | null {
  const m = /^owners:(\d+)$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
}

function listOwners(ctx: RouteContext): ContractReply {
  const { query } = ctx;
  const limit = query.limit === undefined ? 100 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > OWNERS_PAGE_LIMIT) {
    return HubSpotContractServer.error(400, 'VALIDATION_ERROR', 'An error occurred', {
      context: { limit: [`Must be less than or equal to ${OWNERS_PAGE_LIMIT}`] },
      errors: [{ code: '400', context: { limit: [`Must be less than or equal to ${OWNERS_PAGE_LIMIT}`] }, in: 'query', message: 'Invalid limit value.', subCategory: 'INVALID_PARAMETER' }],
    });
  }
  let start = 0;
  if (query.after !== undefined) {
    const o = offsetOf(query.after);
    if (o === null) return HubSpotContractServer.validation(`Invalid paging cursor: ${query.after}`, [{ message: 'Invalid after value.', in: 'query' }]);
    start = o;
  }
  const archived = query.archived === 'true';
  const email = query.email?.toLowerCase();
  const all = [...ctx.server.owners.values()]
    .filter((o) => (o.archived ?? false) === archived && (email === undefined || o.email.toLowerCase() === email))
    .sort((a, b) => Number(a.id) - Number(b.id) || a.id.localeCompare(b.id));
  const page = all.slice(start, start + limit);
  const next = start + limit < all.length ? cursor(start + limit) : null;
  return {
    status: 200,
    body: {
      results: page.map(presentOwner),
      ...(next ? { paging: { next: { after: next, link: `${ctx.server.url}/crm/v3/owners/?after=${next}&limit=${limit}` } } } : {}),
    },
  };
}

function getOwner(ctx: RouteContext): ContractReply {
  const { params, query } = ctx;
  if (!/^\d+$/.test(params.ownerId!)) return HubSpotContractServer.validation(`Invalid ownerId: ${params.ownerId} is not an integer`, [{ message: 'ownerId must be an integer', in: 'path' }]);
  const idProperty = query.idProperty ?? 'id';
  if (idProperty !== 'id' && idProperty !== 'userId') return HubSpotContractServer.validation(`idProperty must be one of id, userId`);
  const archived = query.archived === 'true';
  const owner = [...ctx.server.owners.values()].find((o) => (o.archived ?? false) === archived && (idProperty === 'id' ? o.id === params.ownerId : String(o.userId ?? o.id) === params.ownerId));
  if (!owner) return HubSpotContractServer.error(404, 'OBJECT_NOT_FOUND', `Owner ${params.ownerId} not found`);
  return { status: 200, body: presentOwner(owner) };
}

const UPDATABLE = new Set(['contacts', 'companies', 'deals', 'tasks']);

function updateObject(ctx: RouteContext): ContractReply {
  const t = pluralType(ctx.params.objectType!);
  if (!UPDATABLE.has(t)) return HubSpotContractServer.error(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${ctx.params.objectType}`);
  const id = ctx.params.objectId!;
  const idProperty = ctx.query.idProperty;
  const rec = idProperty ? [...(ctx.server.objects.get(t)?.values() ?? [])].find((r) => r.properties[idProperty] === id) : ctx.server.get(t, id);
  if (!rec || rec.archived) return HubSpotContractServer.error(404, 'OBJECT_NOT_FOUND', 'resource not found');
  if (!isObject(ctx.body)) return HubSpotContractServer.validation('Invalid input JSON on line 1 : expected an object with "properties"');
  const checked = checkProperties(ctx.server, t, ctx.body.properties);
  if ('reply' in checked) return checked.reply;
  const updated = ctx.server.upsert(t, rec.id, checked.ok);
  ctx.server.recordWrite({ kind: `${singular(t)}.update`, objectType: t, id: rec.id, body: { properties: checked.ok } });
  return { status: 200, body: ctx.server.present(t, updated, Object.keys(checked.ok)) };
}

function singular(t: string): string {
  return ({ contacts: 'contact', companies: 'company', deals: 'deal', tasks: 'task' } as Record<string, string>)[t] ?? t;
}

/** HUBSPOT_DEFINED association type ids from tasks, by target type. */
function taskAssociationTarget(typeId: number): string | null {
  for (const [key, id] of Object.entries(ASSOCIATION_TYPE_IDS)) {
    const [from, to] = key.split('->');
    if (from === 'tasks' && id === typeId) return to!;
  }
  return null;
}

function createTask(ctx: RouteContext): ContractReply {
  const { server, body } = ctx;
  if (!isObject(body)) return HubSpotContractServer.validation('Invalid input JSON on line 1 : expected an object with "properties"');
  const checked = checkProperties(server, 'tasks', body.properties);
  if ('reply' in checked) return checked.reply;
  const props = checked.ok;
  if (!props.hs_timestamp) {
    return HubSpotContractServer.validation('hs_timestamp is required: a task needs its due date', [
      { message: 'hs_timestamp is required', code: 'REQUIRED_PROPERTY', context: { propertyName: ['hs_timestamp'] } },
    ]);
  }
  const links: { toType: string; toId: string }[] = [];
  const associations = body.associations ?? [];
  if (!Array.isArray(associations)) return HubSpotContractServer.validation('associations must be an array');
  for (const [i, a] of associations.entries()) {
    const toId = isObject(a) && isObject(a.to) ? a.to.id : undefined;
    const types = isObject(a) ? a.types : undefined;
    if ((typeof toId !== 'string' && typeof toId !== 'number') || !Array.isArray(types) || types.length === 0) {
      return HubSpotContractServer.validation(`associations[${i}] needs "to": {"id"} and "types": [{"associationCategory", "associationTypeId"}]`);
    }
    for (const ty of types) {
      const category = isObject(ty) ? ty.associationCategory : undefined;
      const typeId = isObject(ty) ? ty.associationTypeId : undefined;
      if (category !== 'HUBSPOT_DEFINED' && category !== 'USER_DEFINED' && category !== 'INTEGRATOR_DEFINED') {
        return HubSpotContractServer.validation(`associations[${i}].types: associationCategory must be HUBSPOT_DEFINED, USER_DEFINED or INTEGRATOR_DEFINED`);
      }
      const toType = typeof typeId === 'number' && category === 'HUBSPOT_DEFINED' ? taskAssociationTarget(typeId) : null;
      if (!toType) return HubSpotContractServer.validation(`associations[${i}].types: ${category} ${String(typeId)} is not an association type from tasks`);
      if (!server.get(toType, String(toId))) {
        return HubSpotContractServer.validation(`associations[${i}]: ${singular(toType)} ${String(toId)} does not exist`, [
          { message: `${singular(toType)} ${String(toId)} does not exist`, code: 'INVALID_OBJECT_ID', in: `associations[${i}].to.id` },
        ]);
      }
      links.push({ toType, toId: String(toId) });
    }
  }
  const id = server.newId();
  const now = new Date().toISOString();
  const rec = server.upsert('tasks', id, { ...props, hs_createdate: now }, { createdAt: now });
  for (const l of links) server.associate('tasks', id, l.toType, l.toId);
  server.recordWrite({ kind: 'task.create', objectType: 'tasks', id, body: { properties: props, associations } });
  return { status: 201, body: server.present('tasks', rec, Object.keys(props)) };
}

const OPERATORS = new Set(['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN']);

interface Filter {
  propertyName: string;
  operator: string;
  value?: string;
  highValue?: string;
  values?: string[];
}

/** One filter against a record: date-time properties compare as instants, numbers as numbers, the rest as text. */
function matches(rec: HubSpotRecord, f: Filter): boolean {
  const actual = rec.properties[f.propertyName] ?? null;
  const has = actual !== null && actual !== '';
  const asValue = (v: string | undefined): number | string | null => {
    if (v === undefined) return null;
    if (DATETIME_PROPERTIES.has(f.propertyName)) return toInstant(v);
    return v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v.toLowerCase();
  };
  const a = has ? asValue(actual!) : null;
  const cmp = (v: string | undefined) => {
    const b = asValue(v);
    if (a === null || b === null) return null;
    return a < b ? -1 : a > b ? 1 : 0;
  };
  switch (f.operator) {
    case 'HAS_PROPERTY':
      return has;
    case 'NOT_HAS_PROPERTY':
      return !has;
    case 'EQ':
      return cmp(f.value) === 0;
    case 'NEQ':
      return cmp(f.value) !== 0;
    case 'LT':
      return cmp(f.value) === -1;
    case 'LTE':
      return [-1, 0].includes(cmp(f.value) ?? 2);
    case 'GT':
      return cmp(f.value) === 1;
    case 'GTE':
      return [1, 0].includes(cmp(f.value) ?? -2);
    case 'BETWEEN':
      return [1, 0].includes(cmp(f.value) ?? -2) && [-1, 0].includes(cmp(f.highValue) ?? 2);
    case 'IN':
      return (f.values ?? []).some((v) => cmp(v) === 0);
    case 'NOT_IN':
      return !(f.values ?? []).some((v) => cmp(v) === 0);
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      // Tokens are words; a `*` is a wildcard inside one.
      const re = new RegExp(
        `^${(f.value ?? '')
          .toLowerCase()
          .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')}$`,
      );
      const found = (actual ?? '')
        .toLowerCase()
        .split(/[^a-z0-9@._*-]+/)
        .some((tok) => re.test(tok));
      return f.operator === 'CONTAINS_TOKEN' ? found : !found;
    }
    default:
      return false;
  }
}

function search(ctx: RouteContext): ContractReply {
  const { server, body } = ctx;
  const t = pluralType(ctx.params.objectType!);
  if (!server.objects.has(t)) return HubSpotContractServer.error(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${ctx.params.objectType}`);
  if (!isObject(body)) return HubSpotContractServer.validation('Invalid input JSON on line 1 : expected a search request object');
  const groups = body.filterGroups ?? [];
  if (!Array.isArray(groups)) return HubSpotContractServer.validation('filterGroups must be an array');
  if (groups.length > SEARCH_LIMITS.filterGroups) return HubSpotContractServer.validation(`Too many filter groups: ${groups.length}, the limit is ${SEARCH_LIMITS.filterGroups}.`);
  let total = 0;
  for (const [i, g] of groups.entries()) {
    const filters = isObject(g) ? g.filters : undefined;
    if (!Array.isArray(filters)) return HubSpotContractServer.validation(`filterGroups[${i}].filters must be an array`);
    if (filters.length > SEARCH_LIMITS.filtersPerGroup)
      return HubSpotContractServer.validation(`Too many filters in filterGroups[${i}]: ${filters.length}, the limit is ${SEARCH_LIMITS.filtersPerGroup}.`);
    total += filters.length;
    for (const f of filters) {
      if (!isObject(f) || typeof f.propertyName !== 'string' || typeof f.operator !== 'string' || !OPERATORS.has(f.operator)) {
        return HubSpotContractServer.validation(`filterGroups[${i}]: each filter needs a propertyName and one of the operators ${[...OPERATORS].join(', ')}`);
      }
    }
  }
  if (total > SEARCH_LIMITS.filtersTotal) return HubSpotContractServer.validation(`Too many filters: ${total}, the limit is ${SEARCH_LIMITS.filtersTotal}.`);
  const limit = body.limit === undefined ? 10 : Number(body.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_LIMITS.pageSize) return HubSpotContractServer.validation(`limit must be between 1 and ${SEARCH_LIMITS.pageSize}`);
  const start = body.after === undefined || body.after === null ? 0 : Number(body.after);
  if (!Number.isInteger(start) || start < 0) return HubSpotContractServer.validation(`Invalid after value: ${String(body.after)}`);
  const properties = Array.isArray(body.properties) ? (body.properties as unknown[]).filter((p): p is string => typeof p === 'string') : [];
  const all = [...(server.objects.get(t)?.values() ?? [])]
    .filter((r) => !r.archived)
    .filter((r) => groups.length === 0 || (groups as { filters: Filter[] }[]).some((g) => g.filters.every((f) => matches(r, f))))
    .sort((a, b) => Number(a.id) - Number(b.id));
  const page = all.slice(start, start + limit);
  return {
    status: 200,
    body: {
      total: all.length,
      results: page.map((r) => server.present(t, r, properties)),
      ...(start + limit < all.length ? { paging: { next: { after: String(start + limit) } } } : {}),
    },
  };
}

export const WRITE_ROUTES: ContractRoute[] = [
  { method: 'GET', path: '/crm/v3/owners', handler: listOwners },
  { method: 'GET', path: '/crm/v3/owners/', handler: listOwners },
  { method: 'GET', path: '/crm/v3/owners/{ownerId}', handler: getOwner },
  { method: 'POST', path: '/crm/v3/objects/tasks', handler: createTask },
  { method: 'POST', path: '/crm/v3/objects/{objectType}/search', handler: search },
  { method: 'PATCH', path: '/crm/v3/objects/{objectType}/{objectId}', handler: updateObject },
];
