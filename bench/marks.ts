// In-process timestamps of the moments the bench measures to (owner assigned, floor activity ran), with waiters,
// so latency comes from the instant itself and never from how often something polled.

export class Marks {
  private readonly at = new Map<string, number>();
  private readonly waiters = new Map<string, (t: number) => void>();

  /** The first mark of an id wins: an activity retry must not move the moment it first happened. */
  mark(id: string, t = performance.now()): void {
    if (this.at.has(id)) return;
    this.at.set(id, t);
    this.waiters.get(id)?.(t);
    this.waiters.delete(id);
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
}
