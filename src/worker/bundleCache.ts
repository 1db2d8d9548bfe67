// The workflow bundle, built once per source state and kept on disk. Webpack needs seconds and leaves hundreds of MiB
// of garbage in the heap that runs it, so it runs in a child process and a worker only ever reads the finished file.
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTsxChild } from '../runtime/tsxChild.ts';
import { packageRoot } from '../tools/packageRoot.ts';
import { workflowsPath } from './workflowBundle.ts';

export interface CachedBundle {
  /** Pass as `workflowBundle: { codePath }`. */
  codePath: string;
  hash: string;
  /** False when the file was already there. */
  built: boolean;
  /** Hashing, plus building on a miss: what a start pays for its bundle. */
  ms: number;
}

export interface BundleCacheOptions {
  /** The workflow module to bundle (default workflows/index.ts). */
  entry?: string;
  /** Default: bundleCacheDirs(). */
  dir?: string;
  /** How many bundles to keep, most recently used first (a few source states of main, bench and tests). */
  keep?: number;
  /** Workflow interceptor modules bundled with the workflows (tracing's, when it is on); part of the key. */
  workflowInterceptorModules?: string[];
}

const require = createRequire(import.meta.url);
const builder = fileURLToPath(new URL('./buildBundle.ts', import.meta.url));
const NAME = /^workflow-bundle-[0-9a-f]{64}\.js$/;
// Bump when what goes into the key or the build changes meaning.
const FORMAT = 'flywheel-workflow-bundle/1';
// What a workflow may reach: its own code, src/ helpers it imports, and (only for types today) activities/.
const SOURCE_DIRS = ['workflows', 'src', 'activities'];

/** Where bundles are looked for, in order: FLYWHEEL_BUNDLE_CACHE_DIR alone, or the package's cache, then a temp one. */
export function bundleCacheDirs(): string[] {
  const chosen = process.env.FLYWHEEL_BUNDLE_CACHE_DIR;
  if (chosen) return [chosen];
  // The temp folder serves an installation whose node_modules is read-only (a container image without a prebuilt bundle).
  return [path.join(packageRoot, 'node_modules', '.cache', 'flywheel'), path.join(os.tmpdir(), `flywheel-bundle-cache-${os.userInfo().uid}`)];
}

/**
 * Everything that can change the bundle's bytes, over-inclusively: a stale bundle would run old workflow code, an
 * extra rebuild only costs seconds. The entry's own folder is hashed too, for entries outside the source folders
 * (bench/floorWorkflows.ts, test fixtures).
 */
export function bundleKey(entry: string, root = packageRoot, workflowInterceptorModules: string[] = []): string {
  const h = createHash('sha256');
  const add = (label: string, data: string | Buffer) => h.update(`${label}\0${data.length}\0`).update(data);
  add('format', FORMAT);
  add('entry', path.resolve(entry));
  // Their code is in node_modules, so package-lock.json below covers its version.
  if (workflowInterceptorModules.length) add('interceptors', workflowInterceptorModules.join('\n'));
  add('node', process.versions.node.split('.')[0]!);
  add('@temporalio/worker', (JSON.parse(readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8')) as { version: string }).version);
  // Versions of everything else webpack pulls in from node_modules (@temporalio/workflow, json-logic, ...).
  add('package-lock.json', safeRead(path.join(root, 'package-lock.json')) ?? '');
  const files = new Set<string>();
  for (const d of SOURCE_DIRS) walk(path.join(root, d), files, true);
  walk(path.dirname(path.resolve(entry)), files, false);
  for (const f of [...files].sort()) add(path.relative(root, f), readFileSync(f));
  return h.digest('hex');
}

/** The bundle for `entry`: read from the cache, or built in a child process and cached. */
export async function loadWorkflowBundle(opts: BundleCacheOptions = {}): Promise<CachedBundle> {
  const t0 = performance.now();
  const entry = path.resolve(opts.entry ?? workflowsPath);
  const dirs = opts.dir ? [opts.dir] : bundleCacheDirs();
  const interceptors = opts.workflowInterceptorModules ?? [];
  const hash = bundleKey(entry, packageRoot, interceptors);
  const file = `workflow-bundle-${hash}.js`;
  for (const d of dirs) if (touch(path.join(d, file))) return { codePath: path.join(d, file), hash, built: false, ms: performance.now() - t0 };
  const dir = dirs.find(writable);
  if (!dir) throw new Error(`no writable folder for the workflow bundle among ${dirs.join(', ')}; set FLYWHEEL_BUNDLE_CACHE_DIR to one`);
  const codePath = path.join(dir, file);
  // The bundler's messages (a Node module imported by a workflow, a syntax error) become the error's message.
  await runTsxChild(builder, [entry, codePath, ...interceptors], `workflow bundle of ${path.relative(process.cwd(), entry) || entry}`);
  prune(dir, opts.keep ?? 6);
  return { codePath, hash, built: true, ms: performance.now() - t0 };
}

function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** True if the file exists; its mtime becomes now, so pruning keeps the bundles in use. */
function touch(file: string): boolean {
  const now = new Date();
  try {
    utimesSync(file, now, now);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // A read-only cache still serves what is in it.
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return statSync(file, { throwIfNoEntry: false }) !== undefined;
    return false;
  }
}

/** Keeps the `keep` most recently used bundles and drops temp files a crashed build left (older than an hour). */
function prune(dir: string, keep: number): void {
  const now = Date.now();
  const bundles: { file: string; mtime: number }[] = [];
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st) continue;
    if (NAME.test(name)) bundles.push({ file, mtime: st.mtimeMs });
    else if (name.startsWith('.workflow-bundle-') && now - st.mtimeMs > 3_600_000) remove(file);
  }
  bundles.sort((a, b) => b.mtime - a.mtime);
  for (const b of bundles.slice(keep)) remove(b.file);
}

function remove(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Another process pruned it first.
  }
}

function walk(dir: string, into: Set<string>, deep: boolean): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (deep && e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p, into, true);
    } else if (e.isFile() && (e.name.endsWith('.ts') || e.name.endsWith('.json'))) into.add(p);
  }
}

function safeRead(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
