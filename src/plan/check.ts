import { parseIsoDate } from '../calendar/civil.ts';
import type { FlywheelConfig } from '../config/types.ts';
import { isValidTimeZone, suggestTimeZone } from '../config/timezones.ts';
import { formatPath, type Diagnostic } from '../diagnostics/diagnostic.ts';
import type { LocatedYaml } from '../yaml/located.ts';
import type { GrowthPlan } from './types.ts';

type Path = (string | number)[];

/** Checks the schema cannot express: period continuity, cron, time zone, rep references, unique channels and ids. */
export function checkPlanSemantics(plan: GrowthPlan, doc: LocatedYaml, config: FlywheelConfig | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (path: Path, code: string, message: string, severity: Diagnostic['severity'] = 'error') => {
    const pos = doc.positionOf(path);
    out.push({ severity, file: doc.file, line: pos.line, column: pos.column, path: formatPath(path), code, message });
  };

  const cron = cronProblem(plan.cadence.schedule);
  if (cron) report(['cadence', 'schedule'], 'bad-cron', cron);
  if (!isValidTimeZone(plan.cadence.timezone)) {
    const hint = suggestTimeZone(plan.cadence.timezone);
    report(['cadence', 'timezone'], 'unknown-timezone', `unknown time zone "${plan.cadence.timezone}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
  }
  if (config?.organisation.currency && config.organisation.currency !== plan.currency) {
    report(['currency'], 'currency-mismatch', `plan currency ${plan.currency} differs from the organisation's ${config.organisation.currency} (config/flywheel.yaml)`, 'warning');
  }

  if (config) {
    const reps = new Map(config.reps.map((r) => [r.id, r]));
    for (const field of ['approvers', 'escalateTo'] as const) {
      const seen = new Set<string>();
      plan.approval[field].forEach((id, i) => {
        if (seen.has(id)) report(['approval', field, i], 'duplicate-id', `"${id}" is listed twice`);
        seen.add(id);
        const rep = reps.get(id);
        if (!rep) report(['approval', field, i], 'unknown-rep', `unknown rep "${id}" (not in config/flywheel.yaml reps)`);
        else if (rep.active === false) report(['approval', field, i], 'inactive-rep', `rep "${id}" is inactive`);
      });
    }
  }

  // Periods: real dates, from < to, each one starting where the previous ended (no gaps, no overlaps), unique ids.
  const ids = new Map<string, number>();
  let prevTo: number | undefined;
  plan.periods.forEach((p, i) => {
    const first = ids.get(p.id);
    if (first !== undefined) report(['periods', i, 'id'], 'duplicate-id', `duplicate period id "${p.id}" (first at periods[${first}])`);
    else ids.set(p.id, i);
    const from = parseIsoDate(p.from);
    const to = parseIsoDate(p.to);
    if (from === undefined || to === undefined) return; // the schema's format check has reported it
    if (to <= from) report(['periods', i, 'to'], 'bad-range', `"to" (${p.to}) must be after "from" (${p.from}); "to" is exclusive`);
    if (prevTo !== undefined && from > prevTo) report(['periods', i, 'from'], 'period-gap', `gap: the previous period ends (exclusive) on ${plan.periods[i - 1]!.to}, this one starts on ${p.from}`);
    if (prevTo !== undefined && from < prevTo) report(['periods', i, 'from'], 'period-overlap', `overlaps the previous period, which ends (exclusive) on ${plan.periods[i - 1]!.to}`);
    prevTo = to;
  });

  const channels = new Map<string, number>();
  plan.spend.forEach((s, i) => {
    const first = channels.get(s.channel);
    if (first !== undefined) report(['spend', i, 'channel'], 'duplicate-channel', `duplicate channel "${s.channel}" (first at spend[${first}])`);
    else channels.set(s.channel, i);
  });

  const a = plan.assumptions;
  if (a.monthlyGrossChurn >= 1) report(['assumptions', 'monthlyGrossChurn'], 'bad-rate', 'a monthly gross churn of 100 % loses every customer each month');
  return out;
}

const CRON_FIELDS: readonly { name: string; min: number; max: number }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
];
const CRON_ITEM = /^(?:\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/;

/** Why a 5-field cron expression (numbers, `*`, ranges, lists, steps) is invalid, or null when it is valid. */
export function cronProblem(expr: string): string | null {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) return `"${expr}" is not a cron expression: expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  for (const [i, field] of fields.entries()) {
    const spec = CRON_FIELDS[i]!;
    for (const item of field.split(',')) {
      const m = CRON_ITEM.exec(item);
      if (!m) return `cron ${spec.name} "${field}" is not *, a number, a range a-b, a list or a step /n`;
      const nums = [m[1], m[2]].filter((x): x is string => x !== undefined).map(Number);
      for (const n of nums) if (n < spec.min || n > spec.max) return `cron ${spec.name} ${n} is outside ${spec.min}-${spec.max}`;
      if (nums.length === 2 && nums[1]! < nums[0]!) return `cron ${spec.name} range ${item} ends before it starts`;
      if (m[3] !== undefined && Number(m[3]) === 0) return `cron ${spec.name} step must be at least 1`;
    }
  }
  return null;
}
