import { setTimeout as sleep } from 'node:timers/promises';
import type { DeliveryStats } from './crmClient.ts';

/**
 * The time the simulated CRM may send in. Leads, the sales team and the customers all plan their events on it:
 * a plan that would land after the window closes is counted as not sent, so nothing is sent late. It keeps every
 * task it started, so the run can wait for the answers to requests made inside the window.
 */
export class SendWindow {
  readonly start = Date.now();
  readonly end: number;
  private readonly tasks = new Set<Promise<unknown>>();

  constructor(
    readonly ms: number,
    private readonly signal: AbortSignal,
    private readonly stats: DeliveryStats,
  ) {
    this.end = this.start + ms;
  }

  get elapsedMs(): number {
    return Date.now() - this.start;
  }

  /** Runs fn at epoch ms `when`, if that is inside the window; counts it as not sent otherwise. */
  at(when: number, fn: () => unknown): void {
    if (when > this.end) {
      this.stats.notSent++;
      return;
    }
    void this.track(this.until(when).then((inTime) => (inTime ? fn() : undefined)));
  }

  /** Waits `ms`; false (and counted as not sent) when that would pass the window's end. */
  async pause(ms: number): Promise<boolean> {
    const when = Date.now() + ms;
    if (when > this.end) {
      this.stats.notSent++;
      return false;
    }
    return this.until(when);
  }

  /** False when the run was stopped meanwhile. */
  async until(when: number): Promise<boolean> {
    try {
      await sleep(Math.max(0, when - Date.now()), undefined, { signal: this.signal });
      return true;
    } catch {
      return false;
    }
  }

  track<T>(p: Promise<T>): Promise<T> {
    this.tasks.add(p);
    void p.finally(() => this.tasks.delete(p)).catch(() => undefined);
    return p;
  }

  /** Resolves once every tracked task has settled, including those started by tasks that settled meanwhile. */
  async drain(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }
}
