import { Client } from '@hubspot/api-client';
import { retryAfterMs } from './apiErrors.ts';

/**
 * The HubSpot reads the webhook needs, through @hubspot/api-client against `baseUrl`: CRM v3 batch reads of the
 * configured properties (at most 100 ids per request, chunked) and v4 association batch reads. Records HubSpot no
 * longer has (a 207 naming them) are simply absent from the answer. Any other failure (429, 5xx, a refused token, the
 * network) throws HubSpotReadError, and the webhook answers 503 so HubSpot delivers the batch again.
 */

export type HubSpotObjectTypePlural = 'contacts' | 'companies' | 'deals';

export interface HubSpotRecordRead {
  id: string;
  properties: Record<string, string | null>;
  updatedAt?: string;
}

export interface HubSpotReader {
  /** Current records by id (absent: HubSpot has none with that id). */
  batchRead(objectType: HubSpotObjectTypePlural, ids: readonly string[], properties: readonly string[]): Promise<Map<string, HubSpotRecordRead>>;
  /** Associated record ids per `from` id, smallest id first (absent or empty: none). */
  associations(from: HubSpotObjectTypePlural, to: HubSpotObjectTypePlural, ids: readonly string[]): Promise<Map<string, string[]>>;
}

/** HubSpot's batch endpoints take at most 100 inputs. */
export const HUBSPOT_BATCH_LIMIT = 100;

export class HubSpotReadError extends Error {
  constructor(
    message: string,
    /** HubSpot's HTTP status; null for a network failure. */
    readonly status: number | null,
    /** How long to wait before the batch is worth delivering again. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'HubSpotReadError';
  }
}

export interface HubSpotReaderOptions {
  accessToken: string;
  baseUrl?: string;
}

/** Wait after a 5xx or a network failure before HubSpot should deliver the batch again. */
const DEFAULT_RETRY_SECONDS = 10;

export function createHubSpotReader(opts: HubSpotReaderOptions): HubSpotReader {
  // No SDK retries: the webhook must answer HubSpot within its timeout; HubSpot's own redelivery is the retry.
  const client = new Client({ accessToken: opts.accessToken, basePath: (opts.baseUrl ?? 'https://api.hubapi.com').replace(/\/+$/, ''), numberOfApiCallRetries: 0 });
  const batchApis = {
    contacts: client.crm.contacts.batchApi,
    companies: client.crm.companies.batchApi,
    deals: client.crm.deals.batchApi,
  };
  return {
    async batchRead(objectType, ids, properties) {
      const out = new Map<string, HubSpotRecordRead>();
      for (const chunk of chunks([...new Set(ids)], HUBSPOT_BATCH_LIMIT)) {
        const res = await guarded(`batch read of ${chunk.length} ${objectType}`, () =>
          batchApis[objectType].read({ inputs: chunk.map((id) => ({ id })), properties: [...properties], propertiesWithHistory: [] }, false),
        );
        for (const r of res.results ?? []) {
          out.set(String(r.id), {
            id: String(r.id),
            properties: { ...(r.properties ?? {}) },
            updatedAt: r.updatedAt instanceof Date ? r.updatedAt.toISOString() : (r.updatedAt as string | undefined),
          });
        }
      }
      return out;
    },
    async associations(from, to, ids) {
      const out = new Map<string, string[]>();
      for (const chunk of chunks([...new Set(ids)], HUBSPOT_BATCH_LIMIT)) {
        const res = await guarded(`association read ${from} -> ${to} of ${chunk.length} id(s)`, () => client.crm.associations.v4.batchApi.getPage(from, to, { inputs: chunk.map((id) => ({ id })) }));
        for (const r of res.results ?? []) {
          const fromId = String((r as { _from?: { id?: unknown }; from?: { id?: unknown } })._from?.id ?? (r as { from?: { id?: unknown } }).from?.id ?? '');
          const toIds = (r.to ?? []).map((t) => String(t.toObjectId)).filter((x) => x !== '' && x !== 'undefined');
          out.set(fromId, [...new Set([...(out.get(fromId) ?? []), ...toIds])].sort(byNumericId));
        }
      }
      return out;
    },
  };
}

function chunks<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/** Numeric ids in numeric order (HubSpot ids are numbers as strings), others after them as text. */
export function byNumericId(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw readError(e, what);
  }
}

/** HubSpot's words (category and message), never headers or the token. */
function readError(e: unknown, what: string): HubSpotReadError {
  const x = e as { code?: unknown; body?: unknown; headers?: Record<string, string>; message?: string; name?: string } | null;
  if (x && typeof x.code === 'number' && x.code >= 100 && x.code <= 599) {
    const body = x.body as { category?: unknown; message?: unknown } | undefined;
    const said = [typeof body?.category === 'string' ? body.category : null, typeof body?.message === 'string' ? body.message : null].filter(Boolean).join(': ').slice(0, 300);
    const wait = x.code === 429 ? Math.ceil(retryAfterMs(x.headers, x.body) / 1000) : DEFAULT_RETRY_SECONDS;
    return new HubSpotReadError(`HubSpot ${what} answered ${x.code}${said ? `: ${said}` : ''}`, x.code, wait);
  }
  const code = typeof x?.code === 'string' ? ` (${x.code})` : '';
  return new HubSpotReadError(`HubSpot ${what} failed: ${x?.name ?? 'Error'}${code}: ${String(x?.message ?? e).slice(0, 300)}`, null, DEFAULT_RETRY_SECONDS);
}
