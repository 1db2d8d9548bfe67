// A seeded pseudo-random generator (mulberry32): the same seed gives the same fuzz run on every machine, so a
// failure found once can be replayed with `--seed`. Not for anything secret.

export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** `n` characters drawn from `alphabet` (code points, so astral characters stay whole). */
  string(n: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    const chars = [...alphabet];
    let s = '';
    for (let i = 0; i < n; i++) s += this.pick(chars);
    return s;
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256);
    return b;
  }
}
