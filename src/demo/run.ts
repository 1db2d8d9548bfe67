import { setTimeout as sleep } from 'node:timers/promises';
import type { DeliveryStats } from './crmClient.ts';
import { exampleAccount, kickoffsRunning, readDelight, type Delight } from './delight.ts';
import { startProgress } from './progress.ts';
import { Simulator, type SimulatorOptions } from './simulator.ts';
import { exampleLeads, readOutcomes, type Outcomes } from './summary.ts';

export interface DemoRunOptions extends SimulatorOptions {
  /** Where progress goes: stdout normally, stderr when stdout carries JSON. */
  progressOut: NodeJS.WriteStream;
}

export interface DemoRun {
  leadsSent: number;
  /** Companies the customers referred (each becomes a lead of its own). */
  referralsSent: number;
  outcomes: Outcomes;
  delight: Delight;
  delivery: DeliveryStats;
  examples: Awaited<ReturnType<typeof exampleLeads>> & { account: string | null };
  /** False when the wait for running SLA clocks hit its bound. */
  settled: boolean;
  problems: string[];
  timings: { sendingMs: number; settleMs: number };
}

const SETTLE_GRACE_MS = 1000;

/** The longest the summary waits after the window for SLA clocks to resolve; a short run waits less. */
export const settleBoundMs = (windowMs: number) => Math.min(60_000, Math.max(15_000, (windowMs * 2) / 3));

/**
 * Drives the simulated CRM for the window, then waits until every SLA clock still running (first touch and
 * kickoff) has been met or has breached (the workflows' timers decide; the bound only caps the wait), then reads
 * the summary from the ledger.
 */
export async function runDemo(o: DemoRunOptions): Promise<DemoRun> {
  const sim = new Simulator(o);
  let phase = 'sending';
  const progress = startProgress({
    ledger: o.ledger,
    out: o.progressOut,
    sent: () => ({ sent: sim.leadsSent, total: o.leads }),
    phase: () => phase,
    elapsedMs: () => sim.elapsedMs,
  });
  try {
    const t0 = performance.now();
    await sim.run();
    const sendingMs = performance.now() - t0;

    const t1 = performance.now();
    const bound = Date.now() + settleBoundMs(o.windowMs);
    let settled = false;
    // Events accepted at the very end of the window reach their workflows a moment later: the counts wait for that.
    await sleep(SETTLE_GRACE_MS, undefined, { signal: o.signal }).catch(() => undefined);
    while (!o.signal.aborted) {
      const c = await readOutcomes(o.ledger);
      const running = c.running + (await kickoffsRunning(o.ledger));
      if (running === 0 && c.evaluated >= sim.leadsSent) {
        settled = true;
        break;
      }
      if (Date.now() >= bound) break;
      phase = `waiting for ${running} SLA clock${running === 1 ? '' : 's'}`;
      await sleep(500, undefined, { signal: o.signal }).catch(() => undefined);
    }
    const settleMs = performance.now() - t1;
    o.signal.throwIfAborted();
    // The end of NRR's period: the moment the summary is read.
    const readAt = new Date();
    return {
      leadsSent: sim.leadsSent,
      referralsSent: sim.referralsSent,
      outcomes: await readOutcomes(o.ledger),
      delight: await readDelight(o.ledger, { start: new Date(sim.window.start), end: new Date(sim.window.end), now: readAt }),
      delivery: sim.crm.stats,
      examples: { ...(await exampleLeads(o.ledger)), account: await exampleAccount(o.ledger) },
      settled,
      problems: sim.problems,
      timings: { sendingMs, settleMs },
    };
  } finally {
    await progress.stop();
  }
}
