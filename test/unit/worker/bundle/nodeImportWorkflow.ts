// Bundled by bundleCache.test.ts: a workflow importing a Node module, which the bundler must refuse.
import { readFileSync } from 'node:fs';

export async function readsAFile(): Promise<string> {
  return readFileSync('/etc/hostname', 'utf8');
}
