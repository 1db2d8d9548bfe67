// In-process timestamps of the moments the bench measures to (owner assigned, floor activity ran), with waiters,
// so latency comes from the instant itself and never from how often something polled.

export class Marks {
  private readonly at = new Map<string, number>();
  private readonly waiters = new Map<string, (t: number) => void>();
  private readonly listeners = new Set<(id: string, t: number) => void>();

  /** The first mark of an id wins: an activity retry must not move the moment it first happened. */
  mark(id: string, t = performance.now()): void {
    if (this.at.has(id)) return;
    this.at.set(id, t);
    this.waiters.get(id)?.(t);
    this.waiters.delete(id);
    for (const l of this.listeners) l(id, t);
  }

  get(id: string): number | undefined {
    return this.at.get(id);
  }

  /** Resolves with the mark's time once it exists. */
  wait(id: string): Promise<number> {
    const t = this.at.get(id);
    if (t !== undefined) return Promise.resolve(t);
    return new Promise((resolve) => this.waiters.set(id, resolve));
  }

  /** Calls `fn` on every first mark from now on, without a promise per id (bursts of thousands); returns the unsubscribe. */
  listen(fn: (id: string, t: number) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  /** Drops the marks whose id starts with `prefix`, so the bench's own bookkeeping does not count as lead memory. */
  forget(prefix: string): void {
    for (const id of this.at.keys()) if (id.startsWith(prefix)) this.at.delete(id);
  }
}
