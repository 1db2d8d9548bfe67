import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

// An absolute URL: `--import tsx` would resolve from the caller's working directory, which may hold no tsx.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * Runs a TypeScript file in a fresh Node process with the tsx loader. For one-off heavy work (webpack, initdb) whose
 * garbage would otherwise stay in a long-running process: it dies with the child. A non-zero exit rejects with what
 * the child wrote to stderr; on success that text (warnings) is passed on.
 */
export function runTsxChild(script: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, script, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.once('error', (e) => reject(new Error(`${what} failed to start: ${e.message}`, { cause: e })));
    child.once('close', (code, signal) => {
      if (code === 0) {
        if (stderr) process.stderr.write(stderr);
        resolve();
      } else reject(new Error(`${what} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}
