// The bench process's handle on its CRM child (bench/crm.ts): hands it events to POST and takes back, per request,
// when the request left and what the API answered, on this process's clock.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CloudEvent } from './traffic.ts';

export interface Posted {
  /** When the request left the CRM, on this process's performance.now() clock. */
  sent: number;
  status: number;
  text: string;
}

export class CrmClient {
  readonly #waiting = new Map<number, (fields: string[]) => void>();
  #next = 0;
  /** Child clock minus this process's clock (epoch ms), from the quickest of a few round trips. */
  #offset = 0;

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const fields = line.split('\t');
      const id = Number(fields[0]);
      const done = this.#waiting.get(id);
      this.#waiting.delete(id);
      done?.(fields);
    });
    child.once('exit', (code, signal) => {
      const why = JSON.stringify(`the bench's CRM process exited (${signal ?? `exit ${code}`})`);
      for (const done of this.#waiting.values()) done(['', '0', 'error', why]);
      this.#waiting.clear();
    });
  }

  static async start(apiUrl: string, secret: string): Promise<CrmClient> {
    const run = fileURLToPath(new URL('./run.mjs', import.meta.url));
    const child = spawn(process.execPath, [run, fileURLToPath(new URL('./crm.ts', import.meta.url))], {
      env: { ...process.env, BENCH_API_URL: apiUrl, BENCH_INGEST_SECRET: secret },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const crm = new CrmClient(child);
    await crm.#syncClock();
    return crm;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** POSTs the events (one: as itself; more: as one batch), signed as a CRM signs them. */
  post(events: CloudEvent[]): Promise<Posted> {
    return this.#ask(JSON.stringify(events)).then(([, at, status, text]) => {
      if (status === 'error') throw new Error(`POST /v1/events failed: ${JSON.parse(text!) as string}`);
      return { sent: Number(at) - this.#offset - performance.timeOrigin, status: Number(status), text: text === undefined ? '' : (JSON.parse(text) as string) };
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    await exited;
  }

  #ask(payload: string): Promise<string[]> {
    const id = ++this.#next;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.child.stdin!.write(`${id}\t${payload}\n`);
    });
  }

  /** The two processes' clocks agree to within half the quickest round trip (tens of microseconds). */
  async #syncClock(): Promise<void> {
    let best = Infinity;
    for (let k = 0; k < 20; k++) {
      const before = performance.timeOrigin + performance.now();
      const [, at] = await this.#ask('clock');
      const after = performance.timeOrigin + performance.now();
      if (after - before < best) [best, this.#offset] = [after - before, Number(at) - (before + after) / 2];
    }
  }
}
