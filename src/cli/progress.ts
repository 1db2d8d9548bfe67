/**
 * A progress bar on stderr: count/total, rate per second and time left, redrawn at most ten times a second when
 * stderr is a terminal. Anywhere else (a pipe, CI) it draws nothing and `finish` writes one plain line, so logs
 * never hold escape codes.
 */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): boolean;
}

export class Progress {
  private readonly started: number;
  private lastDraw = -Infinity;
  private done = 0;
  private drawn = false;

  constructor(
    private readonly label: string,
    private total: number | undefined,
    private readonly stream: ProgressStream = process.stderr,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  get tty(): boolean {
    return this.stream.isTTY === true;
  }

  update(done: number, total?: number): void {
    this.done = done;
    if (total !== undefined) this.total = total;
    if (!this.tty) return;
    const t = this.now();
    if (t - this.lastDraw < 100 && done !== this.total) return;
    this.lastDraw = t;
    this.stream.write(`\r\x1b[2K${this.line()}`);
    this.drawn = true;
  }

  /** The bar's text (without escape codes). */
  line(): string {
    const secs = Math.max((this.now() - this.started) / 1000, 1e-3);
    const rate = this.done / secs;
    const total = this.total;
    const width = 24;
    const bar = total ? `[${'#'.repeat(Math.min(width, Math.round((this.done / Math.max(total, 1)) * width))).padEnd(width, '-')}] ` : '';
    const left = total && rate > 0 ? ` ${duration((total - this.done) / rate)} left` : '';
    return `${this.label} ${bar}${this.done}${total !== undefined ? `/${total}` : ''} ${rate.toFixed(0)}/s${left}`;
  }

  /** Ends the bar with a closing line (on a terminal it replaces the bar). */
  finish(message: string): void {
    if (this.tty && this.drawn) this.stream.write('\r\x1b[2K');
    this.stream.write(`${message}\n`);
  }

  seconds(): number {
    return (this.now() - this.started) / 1000;
  }
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
