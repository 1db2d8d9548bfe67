// Speed-to-lead (HTTP event accepted -> owner assigned) and sustained leads/s at fixed offered rates, each beside a
// bare-Temporal floor (signal-with-start of a one-activity workflow) measured in the same run on the same worker,
// client and rates, plus history events per lead lifecycle and the process's memory.
// Then a burst (N leads as fast as the API takes them, beside N floor workflows) and memory per open lead; the goals
// table at the top of the report sets each figure against the target.
// Run: npm run bench [-- --rates 6,12,24,36,48,64,96,128,192,256 --seconds 12 --rounds 2 --drain 15 --lifecycles 5 --warmup 3 --import 2000
//   --import-concurrency 32 --burst 20000 --burst-concurrency 64 --burst-batch 16 --open 10000|burst --stall 120 --settle 120 --idle 15]
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { leadWorkflowId } from '../workflows/definitions.ts';
import { burstSection, quiet, type BurstSide } from './burst.ts';
import { goals, renderGoals } from './goals.ts';
import { importSection } from './import.ts';
import { countHistory, runLifecycle, type HistoryCount } from './lifecycle.ts';
import { combine, runSlice, type Sample, type Slice } from './load.ts';
import { measureOpen, openLeadsSection, type OpenLeadsFigures } from './openLeads.ts';
import { renderReport, saturated, type BenchReport, type Memory, type Parameters, type RateStep } from './report.ts';
import { startBenchStack, type BenchStack } from './stack.ts';
import { definedOnly, workerTuning } from '../src/worker/createWorker.ts';
import { median, mib, processRssMiB, summarise } from './stats.ts';
import { newLead, postEvent, startFloor } from './traffic.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const params: Parameters = {
  // Up to where a 2-core machine's floor saturates and well past: the steps stop once the floor saturates, so a
  // faster machine climbs further. Speed-to-lead is read at 6/s.
  rates: arg('rates', '6,12,24,36,48,64,96,128,192,256').split(',').map(Number),
  seconds: Number(arg('seconds', '12')),
  drainSeconds: Number(arg('drain', '15')),
  lifecycles: Number(arg('lifecycles', '5')),
  warmupSeconds: Number(arg('warmup', '3')),
  rounds: Number(arg('rounds', '2')),
  // Records per kind for the import throughput section (0 skips it), and the import's concurrency.
  import: Number(arg('import', '2000')),
  importConcurrency: Number(arg('import-concurrency', '32')),
  // Burst of N leads beside N floor workflows (0 skips), signal-with-starts in flight, events per POST.
  burst: Number(arg('burst', '20000')),
  burstConcurrency: Number(arg('burst-concurrency', '64')),
  burstBatch: Number(arg('burst-batch', '16')),
  // Leads opened for memory per open lead (0 skips; `burst`: measured on the Flywheel burst's leads instead).
  open: arg('open', '10000') === 'burst' ? Number(arg('burst', '20000')) : Number(arg('open', '10000')),
  openFromBurst: arg('open', '10000') === 'burst',
  // A burst's wait gives up after this long without a completion.
  stallSeconds: Number(arg('stall', '120')),
  // Past Flywheel's saturation, how long its leftover leads may take before the next step starts.
  settleSeconds: Number(arg('settle', '120')),
  // How long the started stack sits idle before its idle memory is taken: V8 gives back the start's heap growth
  // only after some seconds without allocation (measured: ~30 MiB of RSS between 3 and 13 s after start).
  idleSeconds: Number(arg('idle', '15')),
};
if (params.rates.some((r) => !(r > 0)) || !(params.seconds > 0) || !(params.warmupSeconds > 0) || !(params.lifecycles >= 1) || !(params.rounds >= 1)) {
  throw new Error('--rates must be positive numbers, --seconds and --warmup positive, --lifecycles and --rounds at least 1');
}
if (params.openFromBurst && !(params.burst > 0)) throw new Error('--open burst needs a burst (--burst N, N > 0)');
if (
  !(params.burst >= 0) ||
  !(params.open >= 0) ||
  !(params.burstConcurrency >= 1) ||
  !(params.burstBatch >= 1) ||
  !(params.stallSeconds > 0) ||
  !(params.settleSeconds >= 0) ||
  !(params.idleSeconds >= 0)
) {
  throw new Error('--burst and --open must be 0 or more, --burst-concurrency and --burst-batch at least 1, --stall positive, --settle and --idle 0 or more');
}
const run = randomBytes(3).toString('hex');
const loadAtStart = os.loadavg();

// A full collection before each memory figure, so heap and external are what is live, not what awaits collection.
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

function memory(stack: BenchStack): Memory {
  collect();
  const m = process.memoryUsage();
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), externalMiB: mib(m.external), temporalRssMiB: processRssMiB(stack.temporalPid) };
}

/** Where a lead's time goes, as medians from the POST: the parts add up to roughly the p50 speed-to-lead. */
function phases(stack: BenchStack, samples: Sample[]) {
  const done = samples.filter((s) => s.done !== undefined);
  const part = (from: (s: Sample) => number | undefined, to: (s: Sample) => number | undefined) =>
    median(
      done.flatMap((s) => {
        const a = from(s);
        const b = to(s);
        return a === undefined || b === undefined ? [] : [b - a];
      }),
    );
  const evaluate = (s: Sample) => stack.evaluateStarted.get(s.id);
  const assign = (s: Sample) => stack.assignStarted.get(s.id);
  // The new lead path: attractLead (the decision step) evaluates, places and commits in one local activity.
  const attract = (s: Sample) => stack.attractStarted.get(s.id);
  return {
    postTo202: part(
      (s) => s.sent,
      (s) => s.accepted,
    ),
    postToEvaluateStart: part((s) => s.sent, evaluate),
    evaluateToAssignStart: part(evaluate, assign),
    assignToCommit: part(assign, (s) => s.done),
    postToAttractStart: part((s) => s.sent, attract),
    attractToCommit: part(attract, (s) => s.done),
  };
}

function leadSlice(stack: BenchStack, rate: number, seconds: number, tag: string) {
  return runSlice({
    rate,
    seconds,
    drainMs: params.drainSeconds * 1000,
    done: stack.assigned,
    temporalPid: stack.temporalPid,
    crmPid: stack.crm.pid,
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
async function rateStep(stack: BenchStack, rate: number): Promise<{ step: RateStep; leadIds: string[]; pending: string[] }> {
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
    pending: samples.filter((x) => x.done === undefined && !x.error).map((x) => x.id),
  };
}

/** Past saturation: lets the step's leftover leads finish (up to --settle s), so they do not weigh on the next step. */
async function settle(stack: BenchStack, ids: string[]): Promise<number> {
  const t0 = performance.now();
  while (ids.some((id) => stack.assigned.get(id) === undefined) && performance.now() - t0 < params.settleSeconds * 1000) await sleep(250);
  return ids.filter((id) => stack.assigned.get(id) === undefined).length;
}

/** The history with the most events: the goals bound the worst, so its composition is the one to show. */
const longest = <T extends HistoryCount>(hs: T[]): T => hs.reduce((a, b) => (b.historyLength > a.historyLength ? b : a));

async function main(stack: BenchStack): Promise<BenchReport> {
  const started = memory(stack);
  await sleep(params.idleSeconds * 1000);
  const idle = memory(stack);
  // Warm-up, not reported: JIT, first workflow tasks, PGlite's first statements, connection set-up.
  await floorSlice(stack, params.rates[0]!, params.warmupSeconds, 'warm');
  await leadSlice(stack, params.rates[0]!, params.warmupSeconds, 'warm');
  const afterWarmup = memory(stack);

  const steps: RateStep[] = [];
  let stoppedAt: number | undefined;
  let flywheelSaturatedAt: number | undefined;
  const firstLeads: string[] = [];
  // The sustained-throughput goal compares both paths at the floor's saturation rate, so the steps go on past
  // Flywheel's saturation until the floor's. A saturated Flywheel's leftover leads finish before anything goes on: the
  // next step, or the lifecycles, which count history events; the worker also goes quiet before the lifecycles, so
  // their workflow tasks do not wait behind a backlog (bench/lifecycle.ts says what else would add events that are
  // the bench's, not the lead's).
  for (const rate of params.rates) {
    const { step, leadIds, pending } = await rateStep(stack, rate);
    steps.push(step);
    if (firstLeads.length === 0) firstLeads.push(...leadIds.slice(0, 10));
    process.stderr.write(
      `  ${rate}/s: floor p50 ${step.floor.latencyMs.p50.toFixed(1)} ms ${step.floor.achieved.toFixed(1)}/s, flywheel p50 ${step.flywheel.latencyMs.p50.toFixed(1)} ms, ${step.flywheel.achieved.toFixed(1)} assigned/s\n`,
    );
    if (pending.length > 0) {
      const left = await settle(stack, pending);
      process.stderr.write(`  ${pending.length - left}/${pending.length} leftover leads finished before going on\n`);
    }
    if (saturated(step.flywheel)) flywheelSaturatedAt ??= rate;
    if (saturated(step.floor)) {
      stoppedAt = rate;
      break;
    }
  }
  await quiet(stack);
  const afterLoad = memory(stack);

  process.stderr.write(`  ${params.lifecycles} full lifecycles...\n`);
  const lifecycles = await Promise.all(Array.from({ length: params.lifecycles }, (_, i) => runLifecycle(stack, `LC-${run}-${i}`)));
  const worst = longest(lifecycles);
  // Leads from the first measured rate have long finished their hand-off: this is a lead at rest, waiting on its SLA timer.
  const atRest: HistoryCount[] = [];
  for (const id of firstLeads) atRest.push(await countHistory(stack.client.workflow.getHandle(leadWorkflowId(id))));
  const floorHistory = await countHistory(stack.client.workflow.getHandle(`floor:${run}-r${params.rates[0]}-0-0`));
  if (params.import > 0) process.stderr.write(`  import of ${params.import} accounts and ${params.import} leads beside the floor...\n`);
  const imports = params.import > 0 ? await importSection(stack, params.import, params.importConcurrency) : undefined;
  const end = memory(stack);
  const leadsOpen = stack.owners.size - params.lifecycles;
  const stall = params.stallSeconds * 1000;
  let openLeads: OpenLeadsFigures | undefined;
  // --open burst: memory per open lead on the Flywheel burst's own leads, measured around it.
  const around = params.openFromBurst
    ? async (go: () => Promise<BurstSide>) => {
        const r = await measureOpen(stack, 'burst', leadsOpen + params.lifecycles, () => memory(stack), go);
        openLeads = r.figures;
        return r.side;
      }
    : undefined;
  const burst = params.burst > 0 ? await burstSection(stack, params.burst, params.burstConcurrency, params.burstBatch, run, stall, around) : undefined;
  if (params.open > 0 && !params.openFromBurst) {
    const openBefore = leadsOpen + params.lifecycles + (burst?.flywheel.completed ?? 0);
    openLeads = await openLeadsSection(stack, params.open, params.burstConcurrency, params.burstBatch, run, openBefore, () => memory(stack), stall);
  }

  const figures: BenchReport = {
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAtStart,
      loadAtEnd: os.loadavg(),
    },
    parameters: { ...params, webhook: 'none (crmWebhook removed: notifyCrm runs, sends nothing)', stoppedAt, flywheelSaturatedAt, worker: definedOnly(workerTuning()) as Record<string, number> },
    startupMs: stack.startupMs,
    steps,
    history: {
      lifecycle: { ...summarise(lifecycles.map((l) => l.historyLength)), types: worst.types, wallMs: median(lifecycles.map((l) => l.ms)), closed: worst.closed },
      atRest: { ...summarise(atRest.map((h) => h.historyLength)), types: atRest.length > 0 ? longest(atRest).types : {} },
      floor: { historyLength: floorHistory.historyLength, types: floorHistory.types },
    },
    memory: { started, idle, afterWarmup, afterLoad, end, leadsOpen },
    ...(imports ? { imports } : {}),
    ...(burst ? { burst } : {}),
    ...(openLeads ? { openLeads } : {}),
  };
  return figures;
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
const met = goals(report);
writeFileSync(`${dir}latest.json`, `${JSON.stringify({ at: new Date().toISOString(), ...report, goals: met }, null, 2)}\n`);
process.stdout.write(renderReport(report, renderGoals(met)));
process.stdout.write(`\n(JSON: bench/results/latest.json)\n`);
