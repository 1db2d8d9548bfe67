import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { printJson, printLines } from '../output.ts';
import { withLedger } from '../ledgerVerb.ts';

const DAY_MS = 86_400_000;
/** The default period: the last 30 days up to `--to` (or now). */
const DEFAULT_DAYS = 30;

interface MetricsOptions {
  from?: string;
  to?: string;
  spend: string[];
  json?: boolean;
}

export function registerMetricsCommand(program: Command): void {
  program
    .command('metrics')
    .description('Every flywheel metric (attract, engage, delight, hand-offs, friction, feedback) over a period, from the ledger; definitions in docs/metrics.md')
    .option('--from <date>', `start of the period, included: YYYY-MM-DD (midnight UTC) or an ISO date-time with a zone (default: ${DEFAULT_DAYS} days before --to)`)
    .option('--to <date>', 'end of the period, excluded (default: now)')
    .option('--spend <channel=amount>', 'marketing spend of a channel (lead source) in the period, for cost per pipeline dollar; repeatable', collect, [])
    .option('--json', 'print one JSON object')
    .action(async (opts: MetricsOptions) => {
      const [{ computeMetrics }, { formatMetricsReport }, { checkPeriod, parseInstant }] = await Promise.all([
        import('../../metrics/flywheel.ts'),
        import('../../metrics/report.ts'),
        import('../../metrics/period.ts'),
      ]);
      let period;
      let spendByChannel: Record<string, number>;
      try {
        const to = opts.to === undefined ? new Date() : parseInstant(opts.to, 'to');
        const from = opts.from === undefined ? new Date(to.getTime() - DEFAULT_DAYS * DAY_MS) : parseInstant(opts.from, 'from');
        period = checkPeriod({ from, to });
        spendByChannel = parseSpend(opts.spend);
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      const report = await withLedger({ create: false }, (l) => computeMetrics(l, period, { spendByChannel }));
      if (!report.opened) {
        if (opts.json) printJson({ exists: false, message: report.message });
        else process.stdout.write(`${report.message}\n`);
        return;
      }
      if (opts.json) printJson(report.value);
      else printLines(formatMetricsReport(report.value));
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `webinar=2500` pairs as a spend map; a channel given twice is refused rather than silently summed or replaced. */
export function parseSpend(pairs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pairs) {
    const eq = p.lastIndexOf('=');
    const channel = eq > 0 ? p.slice(0, eq).trim() : '';
    const amount = Number(p.slice(eq + 1));
    if (channel === '' || p.slice(eq + 1).trim() === '' || !Number.isFinite(amount) || amount < 0) {
      throw new Error(`--spend ${JSON.stringify(p)} must be channel=amount with an amount >= 0, e.g. webinar=2500`);
    }
    if (channel in out) throw new Error(`--spend gives channel "${channel}" twice`);
    out[channel] = amount;
  }
  return out;
}
