// Writes test/support/durations.json from vitest's results cache of the last local run: the sequencer's estimate
// of each file's length where a clone has no cache yet (a fresh clone, CI). Run after a full `npm test`:
//   node --import tsx test/support/refreshDurations.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cacheDir = path.join(root, 'node_modules/.vite/vitest');
const caches = readdirSync(cacheDir).map((d) => path.join(cacheDir, d, 'results.json'));
const results = caches.flatMap((f) => {
  try {
    return (JSON.parse(readFileSync(f, 'utf8')) as { results: [string, { duration: number; failed: boolean }][] }).results;
  } catch {
    return [];
  }
});
const durations = Object.fromEntries(
  results
    .filter(([, r]) => !r.failed && r.duration > 0)
    .map(([file, r]) => [file, Math.round(r.duration / 100) * 100] as const)
    .sort(([a], [b]) => a.localeCompare(b)),
);
if (Object.keys(durations).length === 0) throw new Error(`no test results in ${cacheDir}: run npm test first`);
writeFileSync(path.join(root, 'test/support/durations.json'), `${JSON.stringify(durations, null, 1)}\n`);
process.stdout.write(`test/support/durations.json: ${Object.keys(durations).length} files\n`);
