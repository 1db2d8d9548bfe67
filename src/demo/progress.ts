import { setTimeout as sleep } from 'node:timers/promises';
import type { Ledger } from '../ledger/types.ts';
import { readOutcomes, type Outcomes } from './summary.ts';

export interface ProgressOptions {
  ledger: Ledger;
  out: NodeJS.WriteStream;
  /** Leads sent so far, of how many. */
  sent: () => { sent: number; total: number };
  /** What the run is doing now, e.g. "sending" or "waiting for 12 SLA clocks". */
  phase: () => string;
  elapsedMs: () => number;
}

/**
 * Shows the ledger's counts while the demo runs: one line rewritten in place on a terminal, or a line every few
 * seconds when the output is a file or pipe (CI logs stay readable).
 */
export function startProgress(o: ProgressOptions): { stop(): Promise<void> } {
  const tty = o.out.isTTY === true;
  const everyMs = tty ? 1000 : 5000;
  const stopping = new AbortController();
  let last = '';
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const counts = await readOutcomes(o.ledger).catch(() => null);
      if (counts) {
        last = progressLine(counts, o.sent(), o.phase(), o.elapsedMs());
        o.out.write(tty ? `\r\x1b[2K${fit(last, o.out.columns)}` : `${last}\n`);
      }
      await sleep(everyMs, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
      if (tty && last) o.out.write('\n');
    },
  };
}

export function progressLine(c: Outcomes, s: { sent: number; total: number }, phase: string, elapsedMs: number): string {
  return [
    `${String(Math.round(elapsedMs / 1000)).padStart(4)}s ${phase}`,
    `sent ${s.sent}/${s.total}`,
    `routed ${c.routed}`,
    `SLA met ${c.met} warned ${c.warned} breached ${c.breached}`,
    `reassigned ${c.reassigned}`,
    `meetings ${c.meetings}`,
    `opps ${c.opportunities}`,
    `won ${c.won}`,
    `lost ${c.lost}`,
    `disqualified ${c.disqualified}`,
    `nurture ${c.nurture}`,
  ].join(' | ');
}

/** A rewritten line must not wrap, or `\r` only returns to the start of its last row. */
function fit(line: string, columns: number | undefined): string {
  return columns && line.length >= columns ? `${line.slice(0, columns - 2)}…` : line;
}
