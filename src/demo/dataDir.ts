import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { displayPath } from '../config/load.ts';
import type { LoadedConfig } from '../config/types.ts';
import { inspectLock, lockPathFor } from '../ledger/lock.ts';
import { dataPaths } from '../runtime/paths.ts';

export class DemoDataError extends Error {}

const MARKER = 'demo-data.json';

/**
 * Each demo starts on an empty Temporal database and ledger: leads left open by an earlier run would hold reps'
 * capacity and fire their own timers into this run's numbers. Only data an earlier demo created is removed (it
 * leaves a marker file); anything else, such as a `flywheel dev` project's data, is refused, never deleted.
 */
export function resetDemoData(loaded: LoadedConfig): { base: string } {
  const p = dataPaths(loaded);
  const temporalDir = path.dirname(p.temporalDb);
  const lockFile = lockPathFor(p.ledgerDir);
  const marker = path.join(p.base, MARKER);
  const lock = inspectLock(lockFile);
  if (lock.state === 'held' || lock.state === 'busy') {
    const who = lock.state === 'held' ? `process ${lock.info.pid}` : 'another process';
    throw new DemoDataError(`${who} has the ledger at ${displayPath(p.ledgerDir)} open: is a demo or \`flywheel dev\` already running with this config? Stop it first.`);
  }
  const existing = [temporalDir, p.ledgerDir].filter((d) => existsSync(d));
  if (existing.length > 0 && !existsSync(marker)) {
    throw new DemoDataError(
      `${existing.map(displayPath).join(' and ')} hold(s) data that \`flywheel demo\` did not create, and each demo starts empty. ` +
        'Use the demo config (the default; --config demo/config/flywheel.yaml), or delete that data if you do not need it.',
    );
  }
  for (const d of [temporalDir, p.ledgerDir, lockFile]) rmSync(d, { recursive: true, force: true });
  mkdirSync(p.base, { recursive: true });
  writeFileSync(marker, `${JSON.stringify({ createdBy: 'flywheel demo', at: new Date().toISOString() })}\n`);
  return { base: p.base };
}
