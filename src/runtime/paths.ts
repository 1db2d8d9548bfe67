import path from 'node:path';
import type { LoadedConfig } from '../config/types.ts';

/** Everything a local run writes lives under `.flywheel/` in the project root (git-ignored). */
export function dataPaths(loaded: LoadedConfig) {
  const base = path.join(loaded.root, '.flywheel');
  return {
    base,
    temporalDb: path.join(base, 'temporal', 'dev.db'),
    logs: path.join(base, 'logs'),
    ledgerDir: path.resolve(loaded.root, loaded.config.ledger?.embeddedDir ?? '.flywheel/ledger'),
  };
}
