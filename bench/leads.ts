// Speed-to-lead (HTTP event accepted -> owner assigned) and sustained leads/s at fixed offered rates, each beside a
// bare-Temporal floor (signal-with-start of a one-activity workflow) measured in the same run on the same worker,
// client and rates, plus history events per lead lifecycle and the process's memory.
// Run: npm run bench [-- --rates 4,8,12,16 --seconds 12 --rounds 2 --drain 15 --lifecycles 5 --warmup 3 --import 2000 --import-concurrency 32]
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { leadWorkflowId } from '../workflows/definitions.ts';
import { importSection } from './import.ts';
import { countHistory, runLifecycle, type HistoryCount } from './lifecycle.ts';
import { combine, runSlice, type Sample, type Slice } from './load.ts';
import { renderReport, saturated, type BenchReport, type RateStep } from './report.ts';
import { startBenchStack, type BenchStack } from './stack.ts';
import { median, mib, processRssMiB, summarise } from './stats.ts';
import { newLead, postEvent, startFloor } from './traffic.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const params = {
  rates: arg('rates', '4,8,12,16').split(',').map(Number),
  seconds: Number(arg('seconds', '12')),
  drainSeconds: Number(arg('drain', '15')),
  lifecycles: Number(arg('lifecycles', '5')),
  warmupSeconds: Number(arg('warmup', '3')),
  rounds: Number(arg('rounds', '2')),
  // Records per kind for the import throughput section (0 skips it), and the import's concurrency.
  import: Number(arg('import', '2000')),
  importConcurrency: Number(arg('import-concurrency', '32')),
};
if (params.rates.some((r) => !(r > 0)) || !(params.seconds > 0) || !(params.warmupSeconds > 0) || !(params.lifecycles >= 1) || !(params.rounds >= 1)) {
  throw new Error('--rates must be positive numbers, --seconds and --warmup positive, --lifecycles and --rounds at least 1');
}
const run = randomBytes(3).toString('hex');
const loadAtStart = os.loadavg();

// A full collection before each memory figure, so heap and external are what is live, not what awaits collection
// (the workflow bundler leaves hundreds of MiB of garbage behind at start).
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

function memory(stack: BenchStack) {
  collect();
  const m = process.memoryUsage();
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), externalMiB: mib(m.external), temporalRssMiB: processRssMiB(stack.temporalPid) };
}

/** Where a lead's time goes, as medians from the POST: the parts add up to roughly the p50 speed-to-lead. */
function phases(stack: BenchStack, samples: Sample[]) {
  const done = samples.filter((s) => s.done !== undefined);
  const part = (from: (s: Sample) => number | undefined, to: (s: Sample) => number | undefined) =>
    median(done.flatMap((s) => {
      const a = from(s);
      const b = to(s);
      return a === undefined || b === undefined ? [] : [b - a];
    }));
  const evaluate = (s: Sample) => stack.evaluateStarted.get(s.id);
  const assign = (s: Sample) => stack.assignStarted.get(s.id);
  return {
    postTo202: part((s) => s.sent, (s) => s.accepted),
    postToEvaluateStart: part((s) => s.sent, evaluate),
    evaluateToAssignStart: part(evaluate, assign),
    assignToCommit: part(assign, (s) => s.done),
  };
}

function leadSlice(stack: BenchStack, rate: number, seconds: number, tag: string) {
  return runSlice({
    rate,
    seconds,
    drainMs: params.drainSeconds * 1000,
    done: stack.assigned,
    temporalPid: stack.temporalPid,
    fire: (i) => postEvent(stack, newLead(`L-${run}-${tag}-${i}`)),
  });
}

function floorSlice(stack: BenchStack, rate: number, seconds: number, tag: string) {
  return runSlice({
    rate,
    seconds,
    drainMs: params.drainSeconds * 1000,
    done: stack.pinged,
    temporalPid: stack.temporalPid,
    fire: (i) => startFloor(stack, `floor:${run}-${tag}-${i}`),
  });
}

/**
 * Floor and Flywheel at one rate, alternating in short slices (as bench/rules.ts alternates its contenders), so a
 * burst of other load on the machine lands on both rather than on whichever ran at that moment.
 */
async function rateStep(stack: BenchStack, rate: number): Promise<{ step: RateStep; leadIds: string[] }> {
  const floor: Slice[] = [];
  const leads: Slice[] = [];
  stack.activityMs.clear();
  for (let k = 0; k < params.rounds; k++) {
    floor.push(await floorSlice(stack, rate, params.seconds / params.rounds, `r${rate}-${k}`));
    const slice = await leadSlice(stack, rate, params.seconds / params.rounds, `r${rate}-${k}`);
    leads.push(slice);
    // Arrivals left over after the drain: more rounds would only pile on.
    if (slice.samples.some((x) => x.done === undefined)) break;
  }
  const samples = leads.flatMap((l) => l.samples);
  const activities = Object.fromEntries([...stack.activityMs].filter(([name]) => name !== 'benchPing').map(([name, runs]) => [name, summarise(runs)]));
  return {
    step: {
      rate,
      floor: combine(rate, floor),
      flywheel: combine(rate, leads),
      phases: phases(stack, samples),
      activities,
      withOwner: samples.filter((x) => stack.owners.get(x.id)).length,
    },
    leadIds: samples.filter((x) => x.done !== undefined).map((x) => x.id),
  };
}

async function main(stack: BenchStack): Promise<BenchReport> {
  const idle = memory(stack);
  // Warm-up, not reported: JIT, first workflow tasks, PGlite's first statements, connection set-up.
  await floorSlice(stack, params.rates[0]!, params.warmupSeconds, 'warm');
  await leadSlice(stack, params.rates[0]!, params.warmupSeconds, 'warm');
  const afterWarmup = memory(stack);

  const steps: RateStep[] = [];
  let stoppedAt: number | undefined;
  const firstLeads: string[] = [];
  for (const rate of params.rates) {
    const { step, leadIds } = await rateStep(stack, rate);
    steps.push(step);
    if (firstLeads.length === 0) firstLeads.push(...leadIds.slice(0, 10));
    process.stderr.write(`  ${rate}/s: floor p50 ${step.floor.latencyMs.p50.toFixed(1)} ms, flywheel p50 ${step.flywheel.latencyMs.p50.toFixed(1)} ms, ${step.flywheel.achieved.toFixed(1)} assigned/s\n`);
    if (saturated(step.flywheel)) {
      stoppedAt = rate;
      break;
    }
  }
  const afterLoad = memory(stack);

  process.stderr.write(`  ${params.lifecycles} full lifecycles...\n`);
  const lifecycles = await Promise.all(Array.from({ length: params.lifecycles }, (_, i) => runLifecycle(stack, `LC-${run}-${i}`)));
  // Leads from the first measured rate have long finished their hand-off: this is a lead at rest, waiting on its SLA timer.
  const atRest: HistoryCount[] = [];
  for (const id of firstLeads) atRest.push(await countHistory(stack.client.workflow.getHandle(leadWorkflowId(id))));
  const floorHistory = await countHistory(stack.client.workflow.getHandle(`floor:${run}-r${params.rates[0]}-0-0`));
  if (params.import > 0) process.stderr.write(`  import of ${params.import} accounts and ${params.import} leads beside the floor...\n`);
  const imports = params.import > 0 ? await importSection(stack, params.import, params.importConcurrency) : undefined;

  return {
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAtStart,
      loadAtEnd: os.loadavg(),
    },
    parameters: { ...params, webhook: 'none (crmWebhook removed: notifyCrm runs, sends nothing)', stoppedAt },
    startupMs: stack.startupMs,
    steps,
    history: {
      lifecycle: { ...summarise(lifecycles.map((l) => l.historyLength)), types: lifecycles[0]!.types, wallMs: median(lifecycles.map((l) => l.ms)), closed: lifecycles[0]!.closed },
      atRest: { ...summarise(atRest.map((h) => h.historyLength)), types: atRest[0]?.types ?? {} },
      floor: { historyLength: floorHistory.historyLength, types: floorHistory.types },
    },
    memory: { idle, afterWarmup, afterLoad, end: memory(stack), leadsOpen: stack.owners.size - params.lifecycles },
    ...(imports ? { imports } : {}),
  };
}

const stack = await startBenchStack();
/** Stops everything; should an orderly stop hang, the dev server this run started is killed by its pid. */
async function shutdown(): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(resolve, 15_000, 'hung')));
  const outcome = await Promise.race([stack.stop().then(() => 'stopped' as const), hung]);
  clearTimeout(timer);
  if (outcome === 'hung' && stack.temporalPid) {
    try {
      process.kill(stack.temporalPid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
// Ctrl-C too stops the dev server and removes the temporary ledger.
const interrupted = () => void shutdown().finally(() => process.exit(130));
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);
let report: BenchReport;
try {
  process.stderr.write(`stack up in ${Math.round(stack.startupMs.total)} ms; offering ${params.rates.join(', ')} leads/s for ${params.seconds} s each\n`);
  report = await main(stack);
} finally {
  await shutdown();
}
process.off('SIGINT', interrupted);
process.off('SIGTERM', interrupted);
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}latest.json`, `${JSON.stringify({ at: new Date().toISOString(), ...report }, null, 2)}\n`);
process.stdout.write(renderReport(report));
process.stdout.write(`\n(JSON: bench/results/latest.json)\n`);
