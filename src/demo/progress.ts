import { setTimeout as sleep } from 'node:timers/promises';
import type { Ledger } from '../ledger/types.ts';
import { readDelight, type Delight } from './delight.ts';
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
 * Shows the ledger's counts while the demo runs: redrawn in place on a terminal, or a line every few seconds when
 * the output is a file or pipe (CI logs stay readable).
 */
export function startProgress(o: ProgressOptions): { stop(): Promise<void> } {
  const tty = o.out.isTTY === true;
  const everyMs = tty ? 1000 : 5000;
  const stopping = new AbortController();
  let drawn = false;
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const counts = await Promise.all([readOutcomes(o.ledger), readDelight(o.ledger)]).catch(() => null);
      if (counts) {
        const lines = progressLines(counts[0], counts[1], o.sent(), o.phase(), o.elapsedMs());
        if (!tty) o.out.write(`${lines.map((l) => l.trim()).join(' | ')}\n`);
        else {
          // Back to the start of the first line drawn last time, then redraw every line in place.
          o.out.write(`${drawn ? `\r\x1b[${lines.length - 1}A` : ''}${lines.map((l) => `\x1b[2K${fit(l, o.out.columns)}`).join('\n')}`);
          drawn = true;
        }
      }
      await sleep(everyMs, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
      if (tty && drawn) o.out.write('\n');
    },
  };
}

/** Three lines, funnel, sales and customers, so each fits a terminal; logs get them joined. */
export function progressLines(c: Outcomes, d: Delight, s: { sent: number; total: number }, phase: string, elapsedMs: number): [string, string, string] {
  const t = `${String(Math.round(elapsedMs / 1000)).padStart(4)}s`;
  return [
    [`${t} sent ${s.sent}/${s.total}`, `routed ${c.routed}`, `disqualified ${c.disqualified}`, `nurture ${c.nurture}`, phase].join(' | '),
    [
      `${' '.repeat(t.length)} SLA met ${c.met} warned ${c.warned} breached ${c.breached}`,
      `reassigned ${c.reassigned}`,
      `meetings ${c.meetings}`,
      `opps ${c.opportunities}`,
      `won ${c.won}`,
      `lost ${c.lost}`,
    ].join(' | '),
    [
      `${' '.repeat(t.length)} customers ${d.customers}`,
      `kickoff met ${d.kickoff.met} breached ${d.kickoff.breached}`,
      `red ${d.health.red}`,
      `renewed ${d.renewals.count}`,
      `churned ${d.churns.count}`,
      `referrals ${d.referrals.submitted}`,
    ].join(' | '),
  ];
}

/** A redrawn line must not wrap, or moving up one line no longer reaches its start. */
function fit(line: string, columns: number | undefined): string {
  return columns && line.length >= columns ? `${line.slice(0, columns - 2)}…` : line;
}
