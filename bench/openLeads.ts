// Memory per open lead: this process (worker + API + ledger) and the Temporal dev server, before and after N more
// leads are open, assigned and at rest (each waits on its SLA timer). Either their own batch, posted after the bursts
// as the Flywheel burst posts them (--open N), or the Flywheel burst's own leads (--open burst). Wired from bench/leads.ts.
import { leadBurst, quiet, type BurstSide } from './burst.ts';
import type { Memory } from './stats.ts';
import type { BenchStack } from './stack.ts';

export interface OpenLeadsFigures {
  /** `separate`: a batch of their own after the bursts; `burst`: the Flywheel burst's leads. */
  source: 'separate' | 'burst';
  n: number;
  /** Leads assigned (open) when the second figure was taken; refused POSTs are counted in `errors`. */
  open: number;
  errors: number;
  /** Leads open in the worker before these (the rate steps', the lifecycles', the burst's). */
  openBefore: number;
  /** The worker's sticky cache: beyond it open leads are evicted and replayed on their next task. */
  maxCachedWorkflows: number;
  seconds: number;
  before: Memory;
  after: Memory;
  /** (after - before) per 1,000 open leads. */
  perThousand: Memory;
}

/** Memory before, then `open()` opens leads and waits until each is assigned, then memory once the worker is quiet. */
export async function measureOpen(stack: BenchStack, source: OpenLeadsFigures['source'], openBefore: number, memory: () => Memory, open: () => Promise<BurstSide>) {
  await quiet(stack);
  const before = memory();
  const side = await open();
  // After the assignment the lead still tells the CRM and starts its SLA clock: measure it at rest.
  await quiet(stack);
  const after = memory();
  const per = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? NaN : ((a - b) * 1000) / side.completed);
  const figures: OpenLeadsFigures = {
    source,
    n: side.n,
    open: side.completed,
    errors: side.errors,
    openBefore,
    maxCachedWorkflows: stack.maxCachedWorkflows,
    seconds: side.drainSeconds,
    before,
    after,
    perThousand: {
      rssMiB: per(after.rssMiB, before.rssMiB),
      heapUsedMiB: per(after.heapUsedMiB, before.heapUsedMiB),
      externalMiB: per(after.externalMiB, before.externalMiB),
      temporalRssMiB: per(after.temporalRssMiB, before.temporalRssMiB),
    },
  };
  return { figures, side };
}

/** A batch of N leads of their own, posted as the Flywheel burst posts them. */
export async function openLeadsSection(
  stack: BenchStack,
  n: number,
  concurrency: number,
  batch: number,
  run: string,
  openBefore: number,
  memory: () => Memory,
  stallMs: number,
): Promise<OpenLeadsFigures> {
  process.stderr.write(`  ${n} open leads for memory per lead...\n`);
  return (await measureOpen(stack, 'separate', openBefore, memory, () => leadBurst(stack, n, concurrency, batch, `O-${run}-`, stallMs))).figures;
}

export function renderOpenLeads(o: OpenLeadsFigures): string[] {
  const f = (v: number | undefined, d = 0) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));
  const row = (name: string, m: Memory, d = 0) => `| ${name} | ${f(m.rssMiB, d)} | ${f(m.heapUsedMiB, d)} | ${f(m.externalMiB, d)} | ${f(m.temporalRssMiB, d)} |`;
  return [
    '',
    `### Memory per open lead (${o.open} leads opened and assigned, ${o.errors} refused)`,
    '',
    (o.source === 'burst'
      ? `The Flywheel burst's own ${o.n} leads (--open burst): measured before it (after the floor burst, worker quiet) and once all were assigned and the worker had gone quiet (each lead at rest on its SLA timer); `
      : `A separate batch of ${o.n} leads posted after the bursts, as the Flywheel burst posts them, and measured once the worker had gone quiet (each lead at rest on its SLA timer); `) +
      `${o.openBefore} leads were already open. Process figures after a forced full GC; the bench's own per-lead bookkeeping is dropped before each figure. ` +
      `The worker's sticky cache holds at most ${o.maxCachedWorkflows} workflows (SDK default from the heap limit): leads beyond it are evicted, so process memory grows with the cache, not past it. Opening took ${f(o.seconds, 1)} s.`,
    '',
    '| moment | RSS MiB | heap used MiB | external MiB | dev server RSS MiB |',
    '| --- | --- | --- | --- | --- |',
    row('before', o.before),
    row(`after ${o.open} more open leads`, o.after),
    row('**MiB per 1,000 open leads**', o.perThousand, 2),
  ];
}
