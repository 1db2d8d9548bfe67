// Child process of bundleCache.ts: `node --import tsx buildBundle.ts <entry> <out> [interceptor module...]`. Webpack's working memory dies
// with this process instead of staying in the worker's heap; a failure prints the bundler's message and exits 1.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { bundleWorkflows } from './workflowBundle.ts';

const [entry, out, ...interceptorModules] = process.argv.slice(2);
if (!entry || !out) {
  process.stderr.write('usage: buildBundle.ts <entry> <out>\n');
  process.exit(2);
}
// Beside the target (same file system, so the rename is atomic) under a name no reader looks for: a process that
// finds the bundle never reads half of one, and two builds at once each rename a whole file.
const tmp = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
// Held back so that a failure leads with the error and webpack's report follows it.
const reports: string[] = [];
try {
  const { code } = await bundleWorkflows(entry, (msg) => void reports.push(`workflow bundler: ${msg}`), interceptorModules);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, code);
    // On disk before the name appears, so a crash cannot leave an empty bundle under the final name.
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, out);
  // Warnings: the parent passes them on.
  if (reports.length) process.stderr.write(`${reports.join('\n')}\n`);
} catch (e) {
  try {
    unlinkSync(tmp);
  } catch {
    // never written
  }
  process.stderr.write(`${[(e as Error).message, ...reports].join('\n')}\n`);
  process.exitCode = 1;
}
