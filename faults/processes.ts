// The production processes as child processes (`node bin/flywheel.js worker|serve`), each with its own log, so the
// suite can SIGKILL one mid-task and restart it exactly as an operator's supervisor would.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FLYWHEEL_BIN = fileURLToPath(new URL('../bin/flywheel.js', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ProcSpec {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** A line on stdout or stderr that says the process is up. */
  ready: RegExp;
  readyTimeoutMs?: number;
}

/** One supervised `flywheel` process. An exit the suite did not cause is recorded (and the process restarted). */
export class FlywheelProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream;
  private expected = false;
  starts = 0;
  readonly unexpectedExits: string[] = [];

  constructor(readonly spec: ProcSpec) {
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and resolves once its ready line appeared; rejects if it exits or times out first. */
  async start(): Promise<number> {
    const t0 = performance.now();
    this.expected = false;
    this.starts++;
    const child = spawn(process.execPath, [FLYWHEEL_BIN, ...this.spec.args], { cwd: REPO_ROOT, env: this.spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.log.write(`--- start ${this.starts} pid ${child.pid} at ${new Date().toISOString()}\n`);
    let seen = '';
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.spec.name} not ready after ${this.spec.readyTimeoutMs ?? 60_000} ms; see ${this.spec.logFile}`)), this.spec.readyTimeoutMs ?? 60_000);
      const onData = (d: Buffer) => {
        this.log.write(d);
        if (seen.length < 65_536) seen += d.toString();
        if (this.spec.ready.test(seen)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.spec.name} exited (${signal ?? code}) before it was ready; see ${this.spec.logFile}`));
      });
    });
    child.once('exit', (code, signal) => {
      this.log.write(`--- exit ${signal ?? code} at ${new Date().toISOString()}\n`);
      if (this.expected || this.child !== child) return;
      this.unexpectedExits.push(`${this.spec.name} pid ${child.pid} exited with ${signal ?? `code ${code}`} at ${new Date().toISOString()}`);
      // A supervisor restarts a crashed process; the crash itself stays in the figures.
      void this.start().catch((e: Error) => this.unexpectedExits.push(`${this.spec.name} restart failed: ${e.message}`));
    });
    await ready;
    return performance.now() - t0;
  }

  /** SIGKILL: no drain, no goodbye to Temporal, in-flight activities abandoned mid-transaction. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM and wait (SIGKILL after 10 s). */
  async stop(): Promise<void> {
    await this.signal('SIGTERM', 10_000);
    this.log.end();
  }

  private async signal(sig: NodeJS.Signals, killAfterMs?: number): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.expected = true;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(sig);
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    await exited;
    clearTimeout(timer);
  }
}
