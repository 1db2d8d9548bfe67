import { Client as HubSpotClient } from '@hubspot/api-client';
import type { FlywheelConfig } from '../config/types.ts';
import { fieldMapFor } from '../connectors/mapping.ts';
import { createHubSpotReader } from '../connectors/hubspot/reader.ts';
import { DEFAULT_HUBSPOT_ACCESS_TOKEN_ENV } from '../connectors/hubspot/inbound.ts';
import { SalesforceAuth } from '../connectors/salesforce/oauth.ts';
import { SALESFORCE_DEFAULTS } from '../connectors/salesforce/settings.ts';
import type { Ledger } from '../ledger/types.ts';
import { buildEvent, type BuildOptions, type ImportKind, type ImportOrigin } from './records.ts';
import { badRows, loadPosition, savePosition, type ImportPage, type ImportSource } from './run.ts';

/**
 * CRM bulk reads for `flywheel import --from hubspot|salesforce`, through the connectors' clients, auth and field
 * maps, paged as each CRM documents it, resumable: the position after each delivered page (HubSpot's `after`,
 * Salesforce's nextRecordsUrl) is kept in connector_offsets (connector 'import', source, stream = object type)
 * and removed when the read reached the end.
 *
 * - HubSpot accounts: companies with lifecyclestage = customer (POST /crm/v3/objects/companies/search, 200 a page);
 *   ARR from a mapped company property, else the sum of the company's closed-won deals (hs_arr, else amount).
 * - HubSpot leads: contacts in a lead lifecycle stage with an owner (lead/MQL: Attract, SQL/opportunity: Engage).
 * - Salesforce accounts: Account WHERE Type = 'Customer' (fields of connections.salesforce.fields.Account; ARR and
 *   contract dates need a mapping, --map <Field>=arr); leads: Lead WHERE IsConverted = false, with an owner.
 * Owners are CRM user ids, turned into rep ids through connections.<crm>.owners (rep -> owner id).
 */

type Build = Omit<BuildOptions, 'origin' | 'mapping'> & { explicit: Record<string, string>; /** Records per CRM page (default: the CRM's maximum). */ pageSize?: number };

export class CrmImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CrmImportError';
  }
}

export async function crmSource(crm: 'hubspot' | 'salesforce', kind: ImportKind, config: FlywheelConfig, ledger: Ledger, build: Build, env: NodeJS.ProcessEnv = process.env): Promise<ImportSource> {
  return crm === 'hubspot' ? hubspotSource(kind, config, ledger, build, env) : salesforceSource(kind, config, ledger, build, env);
}

/** Derived columns the importer adds to a CRM record (never CRM property names: they start with `:`). */
const D = { owner: ':owner', stage: ':stage', status: ':status', arr: ':arr' };

function ownerLookup(owners: Record<string, string> | undefined): (ownerId: unknown) => string | undefined {
  const byOwner = new Map(Object.entries(owners ?? {}).map(([rep, owner]) => [owner, rep]));
  return (ownerId) => (typeof ownerId === 'string' && ownerId ? byOwner.get(ownerId) : undefined);
}

// ---- HubSpot -------------------------------------------------------------------------------------------------

const HUBSPOT_PAGE = 200;
const HUBSPOT_LEAD_STAGES: Record<string, { stage: 'Attract' | 'Engage'; status: string }> = {
  lead: { stage: 'Attract', status: 'new' },
  marketingqualifiedlead: { stage: 'Attract', status: 'mql' },
  salesqualifiedlead: { stage: 'Engage', status: 'assigned' },
  opportunity: { stage: 'Engage', status: 'working' },
};

async function hubspotSource(kind: ImportKind, config: FlywheelConfig, ledger: Ledger, build: Build, env: NodeJS.ProcessEnv): Promise<ImportSource> {
  const hs = config.connections?.hubspot;
  if (!hs) throw new CrmImportError('connections.hubspot is not configured: there is no portal to import from');
  const tokenEnv = hs.accessTokenEnv ?? DEFAULT_HUBSPOT_ACCESS_TOKEN_ENV;
  const accessToken = env[tokenEnv];
  if (!accessToken) throw new CrmImportError(`${tokenEnv} is not set: the import reads HubSpot with the private app's access token`);
  const basePath = (hs.baseUrl ?? 'https://api.hubapi.com').replace(/\/+$/, '');
  const client = new HubSpotClient({ accessToken, basePath, numberOfApiCallRetries: 3 });
  const reader = createHubSpotReader({ accessToken, baseUrl: hs.baseUrl });
  const portal = String(hs.portalId ?? hs.appId);
  const origin: ImportOrigin = { source: `import://hubspot/${portal}`, system: 'hubspot', name: portal };
  const objectType = kind === 'accounts' ? 'companies' : 'contacts';
  const repOf = ownerLookup(hs.owners);

  const crmMap = kind === 'accounts' ? fieldMapFor(config, 'hubspot', 'company') : fieldMapFor(config, 'hubspot', 'contact');
  const mapping: Record<string, string> =
    kind === 'accounts'
      ? { id: 'hs_object_id', updatedAt: 'hs_lastmodifieddate', name: crmMap.company ?? 'name', domain: crmMap.domain ?? 'domain', csOwner: D.owner, arr: D.arr, ...build.explicit }
      : {
          ...withoutCompanyFacts(crmMap),
          id: 'hs_object_id',
          updatedAt: 'lastmodifieddate',
          owner: D.owner,
          stage: D.stage,
          status: D.status,
          handoffAt: 'hubspot_owner_assigneddate',
          ...build.explicit,
        };
  const properties = [...new Set([...Object.values(mapping).filter((p) => !p.startsWith(':')), 'hubspot_owner_id', 'lifecyclestage'])].sort();
  const filterGroups =
    kind === 'accounts'
      ? [{ filters: [{ propertyName: 'lifecyclestage', operator: 'EQ', value: 'customer' }] }]
      : [
          {
            filters: [
              { propertyName: 'lifecyclestage', operator: 'IN', values: Object.keys(HUBSPOT_LEAD_STAGES) },
              { propertyName: 'hubspot_owner_id', operator: 'HAS_PROPERTY' },
            ],
          },
        ];
  const search = (after: string | undefined) =>
    client.crm[objectType].searchApi.doSearch({
      filterGroups,
      properties,
      limit: Math.min(build.pageSize ?? HUBSPOT_PAGE, HUBSPOT_PAGE),
      sorts: ['hs_object_id'],
      ...(after ? { after } : {}),
    } as never);

  const stored = await loadPosition(ledger, origin.source, objectType);
  const first = await search(stored ?? undefined).catch((e: unknown) => {
    throw new CrmImportError(`HubSpot ${objectType} search failed: ${describe(e)}`);
  });
  // The subjects the HubSpot connector gives these records, so its later events reach the same workflows.
  const subjectPrefix = kind === 'accounts' ? (hs.accountIdPrefix ?? 'hubspot-company-') : (hs.leadIdPrefix ?? 'hubspot-');
  const options: BuildOptions = { ...build, origin, mapping, subjectPrefix };
  return {
    total: first.total,
    savePosition: (p) => savePosition(ledger, origin.source, objectType, p),
    async *pages() {
      let res = first;
      for (;;) {
        const records = res.results ?? [];
        let arrByCompany = new Map<string, number>();
        if (kind === 'accounts' && !build.explicit.arr)
          arrByCompany = await dealArr(
            reader,
            records.map((r) => String(r.id)),
          );
        const page: ImportPage = { events: [], bad: [], position: res.paging?.next?.after ?? null };
        for (const r of records) {
          const props: Record<string, unknown> = { ...(r.properties ?? {}), hs_object_id: String(r.id) };
          const ownerId = props.hubspot_owner_id;
          const rep = repOf(ownerId);
          if (rep) props[D.owner] = rep;
          if (kind === 'accounts') {
            if (arrByCompany.has(String(r.id))) props[D.arr] = arrByCompany.get(String(r.id));
          } else {
            const s = HUBSPOT_LEAD_STAGES[String(props.lifecyclestage ?? '')];
            if (s) {
              props[D.stage] = s.stage;
              props[D.status] = s.status;
            }
          }
          const where = `hubspot ${objectType}/${r.id}`;
          if (ownerId && !rep && !build.explicit[kind === 'accounts' ? 'csOwner' : 'owner']) {
            page.bad.push({ where, field: 'hubspot_owner_id', problem: `owner ${String(ownerId)} is no rep in connections.hubspot.owners` });
            continue;
          }
          const built = buildEvent(props, options, `hubspot/${portal}/${objectType}/${r.id}`);
          if (built.ok) page.events.push(built.event);
          else page.bad.push(...badRows(where, built.problems));
        }
        yield page;
        if (!page.position) return;
        res = await search(page.position);
      }
    },
  };
}

/** The company facts of a contact map (a contact's company name is lead data; its website is not the lead's domain). */
function withoutCompanyFacts(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter(([fact]) => fact !== 'annualRevenue'));
}

/** ARR per company: the sum of its closed-won deals' hs_arr (else amount). */
async function dealArr(reader: ReturnType<typeof createHubSpotReader>, companyIds: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (companyIds.length === 0) return out;
  const links = await reader.associations('companies', 'deals', companyIds);
  const dealIds = [...new Set([...links.values()].flat())];
  const deals = dealIds.length ? await reader.batchRead('deals', dealIds, ['hs_arr', 'amount', 'hs_is_closed_won']) : new Map();
  for (const [company, ids] of links) {
    let sum = 0;
    let any = false;
    for (const id of ids) {
      const d = deals.get(id);
      if (!d || d.properties.hs_is_closed_won !== 'true') continue;
      const v = Number(d.properties.hs_arr || d.properties.amount);
      if (Number.isFinite(v)) {
        sum += v;
        any = true;
      }
    }
    if (any) out.set(company, sum);
  }
  return out;
}

// ---- Salesforce ----------------------------------------------------------------------------------------------

const SF_LEAD_STATUS: Record<string, { stage: 'Attract' | 'Engage'; status: string }> = {
  'open - not contacted': { stage: 'Engage', status: 'assigned' },
  'working - contacted': { stage: 'Engage', status: 'working' },
};

async function salesforceSource(kind: ImportKind, config: FlywheelConfig, ledger: Ledger, build: Build, env: NodeJS.ProcessEnv): Promise<ImportSource> {
  const sf = config.connections?.salesforce;
  if (!sf) throw new CrmImportError('connections.salesforce is not configured: there is no org to import from');
  const auth = new SalesforceAuth(sf, { env });
  const version = sf.apiVersion ?? SALESFORCE_DEFAULTS.apiVersion;
  const origin: ImportOrigin = { source: `import://salesforce/${sf.organizationId}`, system: 'salesforce', name: sf.organizationId };
  const sobject = kind === 'accounts' ? 'Account' : 'Lead';
  const repOf = ownerLookup(sf.owners);
  const crmMap = kind === 'accounts' ? fieldMapFor(config, 'salesforce', 'Account') : fieldMapFor(config, 'salesforce', 'Lead');
  if (kind === 'accounts' && !build.explicit.arr) throw new CrmImportError('Salesforce has no standard ARR field on Account: name yours with --map <Field>=arr (e.g. --map ARR__c=arr)');
  const mapping: Record<string, string> =
    kind === 'accounts'
      ? { id: 'Id', updatedAt: 'LastModifiedDate', name: crmMap.company ?? 'Name', domain: crmMap.domain ?? 'Website', csOwner: D.owner, ...build.explicit }
      : { ...withoutCompanyFacts(crmMap), id: 'Id', updatedAt: 'LastModifiedDate', owner: D.owner, stage: D.stage, status: D.status, ...build.explicit };
  const fields = [...new Set(['Id', 'OwnerId', 'LastModifiedDate', ...(kind === 'leads' ? ['Status'] : []), ...Object.values(mapping).filter((p) => !p.startsWith(':'))])];
  const soql = `SELECT ${fields.join(', ')} FROM ${sobject} WHERE ${kind === 'accounts' ? "Type = 'Customer'" : 'IsConverted = false'}`;

  const get = async (pathAndQuery: string): Promise<{ totalSize: number; done: boolean; nextRecordsUrl?: string; records: Record<string, unknown>[] }> => {
    for (let attempt = 0; ; attempt++) {
      const token = await auth.token();
      const res = await fetch(`${token.instanceUrl}${pathAndQuery}`, {
        headers: {
          authorization: `Bearer ${token.accessToken}`,
          accept: 'application/json',
          ...(build.pageSize ? { 'sforce-query-options': `batchSize=${Math.min(2000, Math.max(200, build.pageSize))}` } : {}),
        },
        signal: AbortSignal.timeout(60_000),
      });
      const body = (await res.json().catch(() => null)) as unknown;
      if (res.status === 401 && attempt === 0) {
        auth.invalidate(token.accessToken);
        continue;
      }
      if (!res.ok) {
        const first = Array.isArray(body) ? (body[0] as { errorCode?: string; message?: string }) : undefined;
        throw new CrmImportError(`Salesforce query answered ${res.status}${first ? `: ${first.errorCode}: ${first.message}` : ''}`);
      }
      return body as never;
    }
  };
  const start = `/services/data/v${version}/query?q=${encodeURIComponent(soql)}`;
  const stored = await loadPosition(ledger, origin.source, sobject);
  let first;
  try {
    first = await get(stored ?? start);
  } catch (e) {
    // A query locator lives about 15 minutes: a stale one starts over (receipts skip what was delivered).
    if (!stored || !(e instanceof CrmImportError) || !/INVALID_QUERY_LOCATOR|404/.test(e.message)) throw e;
    first = await get(start);
  }
  const subjectPrefix = kind === 'accounts' ? (sf.accountIdPrefix ?? 'salesforce-account-') : (sf.leadIdPrefix ?? 'salesforce-');
  const options: BuildOptions = { ...build, origin, mapping, subjectPrefix };
  return {
    total: first.totalSize,
    savePosition: (p) => savePosition(ledger, origin.source, sobject, p),
    async *pages() {
      let res = first;
      for (;;) {
        const page: ImportPage = { events: [], bad: [], position: res.done ? null : (res.nextRecordsUrl ?? null) };
        for (const rec of res.records) {
          const row: Record<string, unknown> = { ...rec };
          delete row.attributes;
          const rep = repOf(row.OwnerId);
          const where = `salesforce ${sobject}/${String(row.Id)}`;
          if (row.OwnerId && !rep && !build.explicit[kind === 'accounts' ? 'csOwner' : 'owner'] && !(kind === 'accounts' && String(row.OwnerId).startsWith('00G'))) {
            page.bad.push({ where, field: 'OwnerId', problem: `user ${String(row.OwnerId)} is no rep in connections.salesforce.owners` });
            continue;
          }
          if (rep) row[D.owner] = rep;
          if (kind === 'leads') {
            const s = SF_LEAD_STATUS[String(row.Status ?? '').toLowerCase()] ?? { stage: 'Attract', status: 'new' };
            row[D.stage] = s.stage;
            row[D.status] = s.status;
          }
          const built = buildEvent(row, options, `salesforce/${sf.organizationId}/${sobject}/${String(row.Id)}`);
          if (built.ok) page.events.push(built.event);
          else page.bad.push(...badRows(where, built.problems));
        }
        yield page;
        if (!page.position) return;
        res = await get(page.position);
      }
    },
  };
}

function describe(e: unknown): string {
  const x = e as { code?: unknown; body?: { message?: unknown }; message?: string };
  if (typeof x?.code === 'number') return `HTTP ${x.code}${typeof x.body?.message === 'string' ? `: ${x.body.message}` : ''}`;
  return String(x?.message ?? e).slice(0, 300);
}
