import type { Ledger } from '../ledger/types.ts';
import { retention } from '../metrics/retention.ts';
import type { Period } from '../metrics/period.ts';

/**
 * Every ledger query the demo runs about customers (Delight), like summary.ts for leads: what the account
 * workflows and their activities wrote. Kickoff clocks share the sla.* types with first-touch clocks; they belong
 * to an account and no lead, which is how these queries tell them apart.
 */

export interface Delight {
  /** Accounts that got a CS owner from a won deal's hand-off. */
  customers: number;
  /** Hand-offs missing context the hand-off rules require. */
  handoffsIncomplete: number;
  kickoff: {
    clocks: number;
    met: number;
    warned: number;
    breached: number;
    /** Of those, breached after the window: nobody was left to hold a kickoff for a customer won at the very end. */
    breachedAfterWindow: number | null;
    escalated: number;
    running: number;
    medianTimeToKickoffMs: number | null;
  };
  /** Latest band per account. */
  health: { green: number; yellow: number; red: number };
  playbooks: number;
  renewalReminders: number;
  /** Contracts that ended with neither a renewal nor a churn (the CRM sends nothing after the window). */
  renewalsOverdue: number;
  /** Money as ARR moved: renewals net (up or down), the others as positive amounts. */
  renewals: { count: number; up: number; down: number; arr: number };
  expansions: { count: number; arr: number };
  contractions: { count: number; arr: number };
  churns: { count: number; arr: number };
  referrals: { submitted: number; leads: number; won: number; credited: number; creditedArr: number };
  /** NRR and GRR of the customers won in the first half of the window, over the rest of the run (see readDelight). */
  retention: RetentionSummary | null;
}

export interface RetentionSummary {
  from: string;
  to: string;
  cohortAccounts: number;
  churnedAccounts: number;
  startingArr: number;
  endingArr: number;
  nrr: number | null;
  grr: number | null;
}

const DELIGHT_SQL = `
SELECT count(DISTINCT account_id) FILTER (WHERE type = 'cs.assigned' AND data->>'reason' = 'handoff') AS customers,
       count(*) FILTER (WHERE type = 'handoff.incomplete') AS incomplete,
       count(*) FILTER (WHERE type = 'playbook.started') AS playbooks,
       count(*) FILTER (WHERE type = 'renewal.reminder') AS reminders,
       count(*) FILTER (WHERE type = 'renewal.overdue') AS overdue
FROM ledger_events WHERE account_id IS NOT NULL`;

const KICKOFF_SQL = `
SELECT count(*) FILTER (WHERE type = 'sla.started') AS clocks,
       count(*) FILTER (WHERE type = 'sla.met') AS met,
       count(*) FILTER (WHERE type = 'sla.warned') AS warned,
       count(*) FILTER (WHERE type = 'sla.breached') AS breached,
       count(*) FILTER (WHERE type = 'sla.breached' AND occurred_at >= $1::timestamptz) AS breached_after,
       count(*) FILTER (WHERE type = 'sla.escalated') AS escalated,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY (data->>'timeToKickoffMs')::float8) FILTER (WHERE type = 'sla.met') AS median_ms
FROM ledger_events WHERE type LIKE 'sla.%' AND lead_id IS NULL AND account_id IS NOT NULL`;

// A kickoff clock is resolved by its met, breached or cancelled (the customer churned first) row.
const KICKOFF_RUNNING_SQL = `
SELECT count(*) AS running
FROM ledger_events s
WHERE s.type = 'sla.started' AND s.lead_id IS NULL AND s.account_id IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM ledger_events r
    WHERE r.event_key IN (regexp_replace(s.event_key, ':started$', ':met'), regexp_replace(s.event_key, ':started$', ':breached'), regexp_replace(s.event_key, ':started$', ':cancelled')))`;

const HEALTH_SQL = `
SELECT band, count(*) AS n FROM (
  SELECT DISTINCT ON (account_id) account_id, data->>'band' AS band
  FROM ledger_events WHERE type = 'health.scored' ORDER BY account_id, occurred_at DESC, id DESC) latest
GROUP BY band`;

const ARR_SQL = `
SELECT count(*) FILTER (WHERE kind = 'renewal') AS renewals,
       count(*) FILTER (WHERE kind = 'renewal' AND arr_delta > 0) AS renewals_up,
       count(*) FILTER (WHERE kind = 'renewal' AND arr_delta < 0) AS renewals_down,
       coalesce(sum(arr_delta) FILTER (WHERE kind = 'renewal'), 0) AS renewal_arr,
       count(*) FILTER (WHERE kind = 'expansion') AS expansions,
       coalesce(sum(arr_delta) FILTER (WHERE kind = 'expansion'), 0) AS expansion_arr,
       count(*) FILTER (WHERE kind = 'contraction') AS contractions,
       coalesce(-sum(arr_delta) FILTER (WHERE kind = 'contraction'), 0) AS contraction_arr,
       count(*) FILTER (WHERE kind = 'churn') AS churns,
       coalesce(-sum(arr_delta) FILTER (WHERE kind = 'churn'), 0) AS churn_arr
FROM (SELECT data->>'kind' AS kind, arr_delta FROM ledger_events WHERE type = 'arr.changed') c`;

// A referred lead is the lead_id of its referral.submitted row; "became a lead" means the rules sent it to sales.
const REFERRALS_SQL = `
WITH referred AS (SELECT DISTINCT lead_id FROM ledger_events WHERE type = 'referral.submitted' AND lead_id IS NOT NULL)
SELECT (SELECT count(*) FROM ledger_events WHERE type = 'referral.submitted') AS submitted,
       (SELECT count(DISTINCT lead_id) FROM ledger_events WHERE type = 'lead.assigned' AND lead_id IN (SELECT lead_id FROM referred)) AS leads,
       (SELECT count(*) FROM ledger_events WHERE type = 'deal.won' AND lead_id IN (SELECT lead_id FROM referred)) AS won,
       (SELECT count(*) FROM ledger_events WHERE type = 'referral.credited') AS credited,
       (SELECT coalesce(sum(amount), 0) FROM ledger_events WHERE type = 'referral.credited') AS credited_arr`;

type Row = Record<string, number | string | null>;
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/** The sending window of a finished run, and when the summary is read. */
export interface RunWindow {
  start: Date;
  end: Date;
  now: Date;
}

/**
 * The Delight numbers. With the run's window (the summary; the progress line has none), also NRR and GRR: the
 * cohort is the customers won in the first half of the window, the period from its middle to `now`. A demo has no
 * customers from before it, and those won later have had no time to renew.
 */
export async function readDelight(ledger: Pick<Ledger, 'query'>, w?: RunWindow): Promise<Delight> {
  const [d = {}] = await ledger.query<Row>(DELIGHT_SQL);
  const [k = {}] = await ledger.query<Row>(KICKOFF_SQL, [w?.end.toISOString() ?? null]);
  const bands = await ledger.query<{ band: string; n: number }>(HEALTH_SQL);
  const [a = {}] = await ledger.query<Row>(ARR_SQL);
  const [r = {}] = await ledger.query<Row>(REFERRALS_SQL);
  const band = (b: string) => num(bands.find((x) => x.band === b)?.n);
  return {
    customers: num(d.customers),
    handoffsIncomplete: num(d.incomplete),
    kickoff: {
      clocks: num(k.clocks),
      met: num(k.met),
      warned: num(k.warned),
      breached: num(k.breached),
      breachedAfterWindow: w ? num(k.breached_after) : null,
      escalated: num(k.escalated),
      running: await kickoffsRunning(ledger),
      medianTimeToKickoffMs: k.median_ms === null || k.median_ms === undefined ? null : Number(k.median_ms),
    },
    health: { green: band('green'), yellow: band('yellow'), red: band('red') },
    playbooks: num(d.playbooks),
    renewalReminders: num(d.reminders),
    renewalsOverdue: num(d.overdue),
    renewals: { count: num(a.renewals), up: num(a.renewals_up), down: num(a.renewals_down), arr: num(a.renewal_arr) },
    expansions: { count: num(a.expansions), arr: num(a.expansion_arr) },
    contractions: { count: num(a.contractions), arr: num(a.contraction_arr) },
    churns: { count: num(a.churns), arr: num(a.churn_arr) },
    referrals: { submitted: num(r.submitted), leads: num(r.leads), won: num(r.won), credited: num(r.credited), creditedArr: num(r.credited_arr) },
    retention: w ? await retentionOf(ledger, { from: new Date((w.start.getTime() + w.end.getTime()) / 2), to: w.now }) : null,
  };
}

/** Kickoff clocks neither met nor breached yet (the summary waits for them, as for first-touch clocks). */
export async function kickoffsRunning(ledger: Pick<Ledger, 'query'>): Promise<number> {
  const [r] = await ledger.query<Row>(KICKOFF_RUNNING_SQL);
  return num(r?.running);
}

async function retentionOf(ledger: Pick<Ledger, 'query'>, period: Period): Promise<RetentionSummary> {
  const m = await retention(ledger, period);
  return {
    from: m.from.toISOString(),
    to: m.to.toISOString(),
    cohortAccounts: num(m.cohortAccounts),
    churnedAccounts: num(m.churnedAccounts),
    startingArr: num(m.startingArr),
    endingArr: num(m.endingArr),
    nrr: m.nrr === null ? null : Number(m.nrr),
    grr: m.grr === null ? null : Number(m.grr),
  };
}

/** A kickoff clock as the CSM sees the assignment in the CRM: whose customer it is, and by when to hold the kickoff. */
export interface KickoffClockRow {
  /** The clock's ledger row: the cursor of the CS team's polling. */
  id: number;
  accountId: string;
  /** 0 for the hand-off, then one per reassignment after a breach. */
  clock: number;
  owner: string | null;
  queue: string | null;
  startedAt: number;
  warnAt: number;
  deadline: number;
}

// Each cs.assigned row and the kickoff clock started right after it share their number (attempt N, clock N).
const KICKOFF_CLOCKS_SQL = `
SELECT s.id, s.account_id, s.event_key, c.owner, c.data->>'queue' AS queue, s.occurred_at, s.data->>'warnAt' AS warn_at, s.data->>'deadline' AS deadline
FROM ledger_events c
JOIN ledger_events s ON s.type = 'sla.started' AND s.account_id = c.account_id AND s.event_key = regexp_replace(c.event_key, ':cs-assigned:(\\d+)$', ':sla:\\1:started')
WHERE c.type = 'cs.assigned' AND s.id > $1
ORDER BY s.id`;

/** Assignments whose kickoff clock was recorded after row `afterId` (callers re-read a margin and de-duplicate). */
export async function kickoffClocksSince(ledger: Pick<Ledger, 'query'>, afterId: number): Promise<KickoffClockRow[]> {
  const rows = await ledger.query<{ id: number; account_id: string; event_key: string; owner: string | null; queue: string | null; occurred_at: Date; warn_at: string; deadline: string }>(
    KICKOFF_CLOCKS_SQL,
    [afterId],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    accountId: r.account_id,
    clock: Number(/:sla:(\d+):started$/.exec(r.event_key)?.[1] ?? 0),
    owner: r.owner,
    queue: r.queue,
    startedAt: r.occurred_at.getTime(),
    warnAt: Date.parse(r.warn_at),
    deadline: Date.parse(r.deadline),
  }));
}

const EXAMPLE_SQL = `
SELECT coalesce(
  (SELECT account_id FROM ledger_events WHERE type = 'referral.credited' ORDER BY id LIMIT 1),
  (SELECT account_id FROM ledger_events WHERE type = 'arr.changed' AND data->>'kind' = 'churn' ORDER BY id LIMIT 1),
  (SELECT account_id FROM ledger_events WHERE type = 'cs.assigned' ORDER BY id LIMIT 1)) AS account`;

/** One customer worth opening with `flywheel account show`: a referrer credited with a won deal, else a churn. */
export async function exampleAccount(ledger: Pick<Ledger, 'query'>): Promise<string | null> {
  const [r] = await ledger.query<{ account: string | null }>(EXAMPLE_SQL);
  return r?.account ?? null;
}
