import { durationMs, MS_PER_DAY, parseDuration } from '../rules/durations.ts';
import type { GrowthPlan, PlanPeriod } from '../plan/types.ts';

/** Where a cycle's reports go by default, relative to the project root. */
export const DEFAULT_REPORTS_DIR = '.flywheel/reports';

const dayStart = (ymd: string) => Date.parse(`${ymd}T00:00:00Z`);

/**
 * The plan period a cycle reviews: the one named, else the latest period that has ended by `at` (a cycle on the 1st
 * of a month reviews the month that just closed), else the period running at `at`, else the first period.
 */
export function pickPeriod(plan: Pick<GrowthPlan, 'periods'>, at: Date, periodId?: string): PlanPeriod {
  if (periodId !== undefined) {
    const named = plan.periods.find((p) => p.id === periodId);
    if (!named) throw new Error(`the plan has no period ${JSON.stringify(periodId)} (periods: ${plan.periods.map((p) => p.id).join(', ')})`);
    return named;
  }
  const t = at.getTime();
  const ended = plan.periods.filter((p) => dayStart(p.to) <= t).sort((a, b) => dayStart(b.to) - dayStart(a.to));
  const pick = ended[0] ?? plan.periods.find((p) => dayStart(p.from) <= t && t < dayStart(p.to)) ?? plan.periods[0];
  if (!pick) throw new Error('the plan has no periods');
  return pick;
}

/**
 * The window actuals are measured over: the period up to `at` while it runs, the whole period once it ended, and the
 * whole (still empty) period when it lies in the future.
 */
export function reviewWindow(period: PlanPeriod, at: Date): { from: string; to: string } {
  const from = dayStart(period.from);
  const to = dayStart(period.to);
  const end = at.getTime() > from && at.getTime() < to ? at.getTime() : to;
  return { from: new Date(from).toISOString(), to: new Date(end).toISOString() };
}

/** `5d`, `36h`, `P2D` on the wall clock; throws on anything else. */
export function approvalDeadlineMs(deadline: string): number {
  const d = parseDuration(deadline);
  const ms = d ? durationMs(d, MS_PER_DAY) : 0;
  if (!(ms > 0)) throw new Error(`approval.deadline ${JSON.stringify(deadline)} is not a positive duration like 5d or 36h`);
  return ms;
}

/** A folder name for a cycle id that is safe on every file system (`scheduled-2027-01-01T08:00:00Z` has colons). */
export function cycleFolderName(cycle: string): string {
  const safe = cycle.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return safe || 'cycle';
}
