import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { LedgerError } from './errors.ts';

/** Contents of `<dataDir>.lock`: who has the embedded ledger open, and where it serves other processes. */
export interface LockInfo {
  pid: number;
  host: string;
  /** Null while the owner is still opening and migrating; clients wait for it. */
  port: number | null;
  /**
   * The password the socket asks for, written together with the port; why the file is readable by its owner only.
   * Never print it (or the whole LockInfo).
   */
  secret: string | null;
  startedAt: string;
}

export type LockState =
  | { state: 'free' }
  | { state: 'held'; info: LockInfo }
  /** Unreadable but just created: another process is writing it this instant (only without hard-link support). */
  | { state: 'busy' }
  | { state: 'stale'; info: LockInfo | null; reason: string };

export interface LockHandle {
  readonly path: string;
  readonly info: LockInfo;
  /** Publishes where and with which secret the socket serves, atomically. */
  setSocket(port: number, secret: string): void;
  release(): void;
}

// Locks this process holds. A lock file naming our own pid that is not in here was left by an earlier process that
// had the same pid (common in containers, where the app is often pid 1), so it is stale, not ours.
const held = new Map<string, LockHandle>();
let exitHookInstalled = false;

export function lockPathFor(dataDir: string): string {
  return `${dataDir}.lock`;
}

/**
 * Takes the lock or says who holds it. The file appears atomically with complete contents (written to a temporary
 * file, then hard-linked into place, which fails if the lock exists), so a reader never sees a half-written lock.
 */
export async function acquireLock(
  path: string,
  /** Told why, once, when this process removed a stale lock. */
  onStale: (reason: string) => void,
): Promise<{ ok: true; handle: LockHandle } | { ok: false; info: LockInfo }> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const info: LockInfo = { pid: process.pid, host: os.hostname(), port: null, secret: null, startedAt: new Date().toISOString() };
    if (createExclusive(path, info)) return { ok: true, handle: register(path, info) };
    const seen = inspectLock(path);
    if (seen.state === 'held') return { ok: false, info: seen.info };
    // Waits only while another process is mid-way through writing or reclaiming the lock.
    if (seen.state === 'busy' || (seen.state === 'stale' && !removeStale(path, seen, onStale))) await sleep(20);
  }
  throw new LedgerError(`could not take the lock ${path}: it keeps changing (another process is starting?)`);
}

export function inspectLock(path: string): LockState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'free' };
    throw e;
  }
  const info = parse(text);
  if (!info) return youngerThan(path, BUSY_MS) ? { state: 'busy' } : { state: 'stale', info: null, reason: 'its contents are unreadable' };
  // On another machine (a shared drive) we cannot check the pid, so we must assume it is alive.
  if (info.host !== os.hostname()) return { state: 'held', info };
  if (info.pid === process.pid) {
    return held.has(path) ? { state: 'held', info } : { state: 'stale', info, reason: `it names this process's pid ${info.pid} but was left by an earlier one` };
  }
  return isAlive(info.pid) ? { state: 'held', info } : { state: 'stale', info, reason: `process ${info.pid} is no longer running` };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const BUSY_MS = 2000;

function youngerThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < ms;
  } catch {
    return false;
  }
}

// The lock holds the socket's secret: no one but its owner may read it (nor replace it).
const OWNER_ONLY = 0o600;

function createExclusive(path: string, info: LockInfo): boolean {
  const tmp = tempName(path);
  writeFileSync(tmp, JSON.stringify(info), { mode: OWNER_ONLY });
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // Filesystems without hard links: an exclusive create, written at once (a reader retries an empty read).
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EXDEV') return createWithFlag(path, info);
    throw e;
  } finally {
    unlinkQuietly(tmp);
  }
}

function createWithFlag(path: string, info: LockInfo): boolean {
  try {
    writeFileSync(path, JSON.stringify(info), { flag: 'wx', mode: OWNER_ONLY });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Two processes may find the same stale lock. Removal happens under a second exclusive file, and only if the lock
 * still holds what was judged stale, so one process can never delete a lock another has just taken.
 */
function removeStale(path: string, seen: Extract<LockState, { state: 'stale' }>, onStale: (reason: string) => void): boolean {
  const guard = `${path}.reclaim`;
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), port: null, secret: null, startedAt: new Date().toISOString() };
  if (!createExclusive(guard, mine)) {
    // A reclaimer that died mid-way (a window of microseconds) must not block everyone forever.
    if (inspectLock(guard).state === 'stale') unlinkQuietly(guard);
    return false;
  }
  try {
    const now = inspectLock(path);
    if (now.state === 'stale' && JSON.stringify(now.info) === JSON.stringify(seen.info)) {
      unlinkQuietly(path);
      onStale(seen.reason);
    }
    return true;
  } finally {
    unlinkQuietly(guard);
  }
}

function register(path: string, initial: LockInfo): LockHandle {
  let info = initial;
  const handle: LockHandle = {
    path,
    get info() {
      return info;
    },
    setSocket(port: number, secret: string) {
      if (held.get(path) !== handle) return;
      info = { ...info, port, secret };
      // Replaced atomically so a reader sees either the old or the new complete lock.
      const tmp = tempName(path);
      writeFileSync(tmp, JSON.stringify(info), { mode: OWNER_ONLY });
      renameSync(tmp, path);
    },
    release() {
      if (held.get(path) !== handle) return;
      held.delete(path);
      const now = parse(readQuietly(path));
      if (now && now.pid === info.pid && now.startedAt === info.startedAt) unlinkQuietly(path);
    },
  };
  held.set(path, handle);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // 'exit' handlers must be synchronous, which release() is. A killed process leaves a stale lock, recovered later.
    process.on('exit', () => {
      for (const h of [...held.values()]) h.release();
    });
  }
  return handle;
}

function parse(text: string | undefined): LockInfo | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    const pidOk = typeof v.pid === 'number' && Number.isInteger(v.pid) && v.pid > 0;
    if (!pidOk || typeof v.host !== 'string' || typeof v.startedAt !== 'string') return null;
    return {
      pid: v.pid!,
      host: v.host,
      port: typeof v.port === 'number' ? v.port : null,
      secret: typeof v.secret === 'string' ? v.secret : null,
      startedAt: v.startedAt,
    };
  } catch {
    return null;
  }
}

function tempName(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

function readQuietly(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
