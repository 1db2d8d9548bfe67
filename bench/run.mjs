// Runs a bench script the way `bin/flywheel.js` runs Flywheel: tsx registered in this process, not through the tsx
// CLI. The CLI puts its loader in execArgv, which worker threads inherit, so the Temporal workflow thread would load
// a second tsx (and turn source maps on there); a `flywheel worker` has neither. Measured with the bench stack
// idle: 421 MiB of RSS through the CLI, 343 this way; CPU per lead 0.5-1 ms lower.
// Usage: node bench/run.mjs bench/leads.ts [args...]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const script = process.argv[2];
if (!script) {
  process.stderr.write('usage: node bench/run.mjs <bench script> [args...]\n');
  process.exit(2);
}
register();
// The script sees the arguments the tsx CLI would have given it: [node, script, ...args].
process.argv.splice(1, 2, path.resolve(script));
await import(pathToFileURL(path.resolve(script)).href);
