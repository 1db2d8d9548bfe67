import { MS_PER_HOUR } from '../calendar/civil.ts';
import { outOfOfficeWindow } from '../calendar/outOfOffice.ts';
import type { FlywheelConfig } from '../config/types.ts';
import type { Handoff } from '../metrics/handoffs.ts';
import type { Period } from '../metrics/period.ts';
import { periodParams, round, type MetricsLedger } from '../metrics/util.ts';

/**
 * What the ledger says about a breach, most telling first:
 * - no-owner: nobody owned the record when the deadline passed;
 * - out-of-office: the owner's leave (reps[].outOfOffice in the current config) overlapped the clock;
 * - held: the lead waited for an owner (no capacity) before this clock started;
 * - paused: the clock was paused and breached even after its deadline moved;
 * - reassigned: a later clock of the record, started because an earlier owner breached;
 * - missed: none of the above, the owner did not act in time.
 */
export const BREACH_CAUSES = ['no-owner', 'out-of-office', 'held', 'paused', 'reassigned', 'missed'] as const;
export type BreachCause = (typeof BREACH_CAUSES)[number];

export interface Breach {
  handoff: Handoff;
  at: string;
  leadId: string | null;
  accountId: string | null;
  /** The owner who breached (the row's data.owner, else its owner). */
  owner: string | null;
  team: string | null;
  rule: string | null;
  deadline: string | null;
  /** The record's clock number: 0 is the hand-off, 1.. one per reassignment. */
  clock: number | null;
  startedAt: string | null;
  /** The first cause of `causes` in BREACH_CAUSES order. */
  cause: BreachCause;
  causes: BreachCause[];
  heldHours: number;
  pausedHours: number;
}

// Same samples as the compliance figures (src/metrics/handoffs.ts): a clock an import started is none.
// The clock's start and pauses share the breach's key prefix (src/sla/clockKeys.ts); its hold is the placement
// that started it, so only assignment rows from the clock's start on count.
const BREACHES_SQL = `
WITH b AS (
  SELECT e.*, CASE WHEN lead_id IS NOT NULL THEN 'marketing-to-sales' ELSE 'sales-to-cs' END AS handoff,
         regexp_replace(e.event_key, 'breached$', '') AS prefix
  FROM ledger_events e
  WHERE type = 'sla.breached' AND (lead_id IS NOT NULL OR account_id IS NOT NULL)
    AND occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz
    AND NOT EXISTS (SELECT 1 FROM ledger_events i WHERE i.type = 'lead.imported' AND i.lead_id = e.lead_id
                    AND i.data->>'importedClock' = substring(e.event_key from ':sla:([0-9]+):'))
), s AS (
  SELECT b.id, (SELECT min(x.occurred_at) FROM ledger_events x WHERE x.type = 'sla.started' AND x.event_key = b.prefix || 'started') AS started_at
  FROM b
)
SELECT b.handoff, b.occurred_at, b.lead_id, b.account_id, coalesce(b.data->>'owner', b.owner) AS owner, b.team,
       b.data->>'rule' AS rule, b.data->>'deadline' AS deadline, s.started_at,
       substring(b.event_key from ':sla:([0-9]+):')::int AS clock,
       CASE WHEN jsonb_typeof(b.data->'pausedMs') = 'number' THEN (b.data->>'pausedMs')::numeric ELSE 0 END AS paused_ms,
       (SELECT count(*) FROM ledger_events p WHERE p.type = 'sla.paused' AND starts_with(p.event_key, b.prefix || 'paused:')
          AND p.occurred_at <= b.occurred_at) AS pauses,
       (SELECT coalesce(sum((h.data->>'heldMs')::numeric), 0) FROM ledger_events h
        WHERE b.lead_id IS NOT NULL AND h.lead_id = b.lead_id AND h.type IN ('lead.assigned', 'lead.reassigned')
          AND jsonb_typeof(h.data->'heldMs') = 'number' AND h.occurred_at <= b.occurred_at
          AND h.occurred_at >= coalesce(s.started_at, '-infinity'::timestamptz)) AS held_ms
FROM b JOIN s USING (id)
ORDER BY b.occurred_at, b.event_key`;

interface Row {
  handoff: Handoff;
  occurred_at: Date;
  lead_id: string | null;
  account_id: string | null;
  owner: string | null;
  team: string | null;
  rule: string | null;
  deadline: string | null;
  started_at: Date | null;
  clock: number | null;
  paused_ms: number | string;
  pauses: number | string;
  held_ms: number | string;
}

/** Every breach in the period with its causes; a row without a team takes its owner's team from the config. */
export async function breachesWithCauses(ledger: MetricsLedger, config: FlywheelConfig, period: Period): Promise<Breach[]> {
  const rows = await ledger.query<Row>(BREACHES_SQL, periodParams(period));
  return rows.map((r) => {
    const rep = config.reps.find((x) => x.id === r.owner);
    const at = r.occurred_at.getTime();
    const from = r.started_at?.getTime() ?? at;
    const away = (rep?.outOfOffice ?? []).some((o) => {
      const w = outOfOfficeWindow(o, rep!.timezone);
      return w.start < at && from < w.end;
    });
    const pausedMs = Number(r.paused_ms);
    const heldMs = Number(r.held_ms);
    const flags: Record<BreachCause, boolean> = {
      'no-owner': r.owner === null,
      'out-of-office': away,
      held: heldMs > 0,
      paused: pausedMs > 0 || Number(r.pauses) > 0,
      reassigned: (r.clock ?? 0) > 0,
      missed: false,
    };
    const causes = BREACH_CAUSES.filter((c) => flags[c]);
    if (causes.length === 0) causes.push('missed');
    return {
      handoff: r.handoff,
      at: r.occurred_at.toISOString(),
      leadId: r.lead_id,
      accountId: r.account_id,
      owner: r.owner,
      team: r.team ?? rep?.team ?? null,
      rule: r.rule,
      deadline: r.deadline,
      clock: r.clock,
      startedAt: r.started_at?.toISOString() ?? null,
      cause: causes[0]!,
      causes,
      heldHours: round(heldMs / MS_PER_HOUR, 2),
      pausedHours: round(pausedMs / MS_PER_HOUR, 2),
    };
  });
}
