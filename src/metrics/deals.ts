import type { Period } from './period.ts';
import { periodParams, ratio, UNKNOWN, type MetricsLedger } from './util.ts';

/** A deal closed (won or lost) in the period, attributed to a lead source and ICP tier. */
export interface ClosedDeal {
  outcome: 'won' | 'lost';
  leadId: string | null;
  accountId: string | null;
  closedAt: Date;
  /** The ARR the deal won (`arr_delta` of `deal.won`); 0 for a lost deal. */
  arr: number;
  /** `data.source` of the close row, else of the lead's deal.created, else of its lead.assigned; else 'unknown'. */
  source: string;
  /** `data.tier`, looked up the same way. */
  tier: string;
  /** The lead's latest deal.created at or before the close, if any. */
  createdAt: Date | null;
}

// deal.lost rows carry only a reason, so source and tier come from the lead's own earlier rows (latest first).
const CLOSED_SQL = `
SELECT d.type, d.lead_id, d.account_id, d.occurred_at, coalesce(d.arr_delta, 0) AS arr,
       coalesce(d.data->>'source', c.data->>'source', a.data->>'source') AS source,
       coalesce(d.data->>'tier', c.data->>'tier', a.data->>'tier') AS tier,
       c.occurred_at AS created_at
FROM ledger_events d
LEFT JOIN LATERAL (
  SELECT occurred_at, data FROM ledger_events x
  WHERE x.type = 'deal.created' AND x.lead_id = d.lead_id AND x.occurred_at <= d.occurred_at
  ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1
) c ON true
LEFT JOIN LATERAL (
  SELECT data FROM ledger_events x
  WHERE x.type = 'lead.assigned' AND x.lead_id = d.lead_id AND x.occurred_at <= d.occurred_at
  ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1
) a ON true
WHERE d.type IN ('deal.won', 'deal.lost') AND d.occurred_at >= $1::timestamptz AND d.occurred_at < $2::timestamptz
ORDER BY d.occurred_at, d.id`;

interface Row {
  type: 'deal.won' | 'deal.lost';
  lead_id: string | null;
  account_id: string | null;
  occurred_at: Date;
  arr: number;
  source: string | null;
  tier: string | null;
  created_at: Date | null;
}

/** Every deal.won and deal.lost with from <= occurred_at < to, oldest first. */
export async function closedDeals(ledger: MetricsLedger, period: Period): Promise<ClosedDeal[]> {
  const rows = await ledger.query<Row>(CLOSED_SQL, periodParams(period));
  return rows.map((r) => ({
    outcome: r.type === 'deal.won' ? 'won' : 'lost',
    leadId: r.lead_id,
    accountId: r.account_id,
    closedAt: r.occurred_at,
    arr: r.type === 'deal.won' ? r.arr : 0,
    source: r.source ?? UNKNOWN,
    tier: r.tier ?? UNKNOWN,
    createdAt: r.created_at,
  }));
}

/** Won and lost deals of a group, and winRate = won / (won + lost) (null without closed deals). */
export function winRateOf(deals: readonly ClosedDeal[]): { won: number; lost: number; winRate: number | null } {
  const won = deals.filter((d) => d.outcome === 'won').length;
  const lost = deals.length - won;
  return { won, lost, winRate: ratio(won, won + lost) };
}

/** The deals grouped by a label (source, tier), groups in key order. */
export function groupDeals(deals: readonly ClosedDeal[], label: (d: ClosedDeal) => string): [string, ClosedDeal[]][] {
  const groups = new Map<string, ClosedDeal[]>();
  for (const d of deals) {
    const k = label(d);
    const g = groups.get(k);
    if (g) g.push(d);
    else groups.set(k, [d]);
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
