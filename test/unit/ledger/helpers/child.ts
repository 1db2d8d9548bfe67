import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./ledgerProcess.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export interface LedgerChild {
  proc: ChildProcess;
  pid: number;
  /** The first line: { ready, mode, description } or { error, name }. */
  first: Record<string, unknown>;
  send<T = unknown>(cmd: Record<string, unknown>): Promise<T>;
  exited: Promise<number | null>;
  stderr(): string;
}

/** Starts ledgerProcess.ts in its own Node process and waits for its first line (opened, or failed to open). */
export async function startLedgerChild(root: string, role: 'owner' | 'client' | 'auto'): Promise<LedgerChild> {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, root, role], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = once(proc, 'exit').then(([code]) => code as number | null);
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const r = await Promise.race([lines.next(), exited.then(() => ({ done: true as const, value: undefined }))]);
    if (r.done) throw new Error(`ledger child ${proc.pid} exited without answering; stderr:\n${err}`);
    return JSON.parse(r.value) as Record<string, unknown>;
  };
  const first = await next();
  // Requests are answered in order, one line each; chain them so concurrent callers can't interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const send = <T>(cmd: Record<string, unknown>): Promise<T> => {
    const p = queue.then(async () => {
      proc.stdin!.write(`${JSON.stringify(cmd)}\n`);
      return (await next()) as T;
    });
    queue = p.catch(() => undefined);
    return p;
  };
  return { proc, pid: proc.pid!, first, send, exited, stderr: () => err };
}

/** The pid of a process that has certainly exited. */
export async function deadPid(): Promise<number> {
  const p = spawn(process.execPath, ['-e', '']);
  await once(p, 'exit');
  return p.pid!;
}
