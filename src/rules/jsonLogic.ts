import { createRequire } from 'node:module';
import type * as JsonLogic from 'json-logic-js';
import { lookup, NOT_FOUND } from './ownView.ts';

type Instance = typeof JsonLogic;
type Read = (path: string, value: unknown) => void;

/**
 * json-logic-js keeps one module-level operation table, and `add_operation` changes it for every importer.
 * Flywheel replaces `var` (own properties only, and reads are recorded) and adds a few pure operations; doing
 * that on the shared table would silently change other code's results (and the raw baseline in
 * bench/rules.ts). Evaluating the module a second time yields a private instance with its own table.
 */
function privateInstance(): Instance {
  const require = createRequire(import.meta.url);
  const id = require.resolve('json-logic-js');
  const shared = require.cache[id];
  delete require.cache[id];
  try {
    return require(id) as Instance;
  } finally {
    if (shared) require.cache[id] = shared;
    else delete require.cache[id];
  }
}

/** Pure and total: they never throw and never read anything but their arguments. */
export const CUSTOM_OPERATIONS: Readonly<Record<string, (...args: unknown[]) => unknown>> = Object.freeze({
  starts_with: (s: unknown, prefix: unknown) => typeof s === 'string' && typeof prefix === 'string' && s.startsWith(prefix),
  ends_with: (s: unknown, suffix: unknown) => typeof s === 'string' && typeof suffix === 'string' && s.endsWith(suffix),
  lower: (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : null),
  domain_of: (email: unknown) => {
    if (typeof email !== 'string') return null;
    const at = email.lastIndexOf('@');
    const domain =
      at < 0
        ? ''
        : email
            .slice(at + 1)
            .trim()
            .toLowerCase();
    return domain === '' ? null : domain;
  },
  days_between: (from: unknown, to: unknown) => {
    const a = typeof from === 'string' ? Date.parse(from) : Number.NaN;
    const b = typeof to === 'string' ? Date.parse(to) : Number.NaN;
    return Number.isFinite(a) && Number.isFinite(b) ? (b - a) / 86_400_000 : null;
  },
});

// Evaluation is synchronous, so one "current reader" slot is enough; it is saved and restored around each
// call so a nested evaluate() could not leak reads into the outer one.
let readRoot: unknown;
let onRead: Read | undefined;

function ownVar(this: unknown, path?: unknown, fallback?: unknown): unknown {
  const value = lookup(this, path);
  if (onRead !== undefined && this === readRoot && (typeof path === 'string' || typeof path === 'number') && path !== '') {
    onRead(String(path), value === NOT_FOUND ? null : value);
  }
  if (value !== NOT_FOUND) return value;
  return fallback === undefined ? null : fallback;
}

const logic: Instance = privateInstance();
logic.add_operation('var', ownVar);
logic.rm_operation('log');
for (const [name, fn] of Object.entries(CUSTOM_OPERATIONS)) logic.add_operation(name, fn);

/**
 * Evaluates a JSON-logic expression with Flywheel's semantics: own-property `var`, the custom operations,
 * no `log`. `onRead` receives every facts path read at the top level (not paths inside map/filter scopes,
 * which address array elements) with the value found, or null.
 */
export function evaluate(expr: unknown, data: unknown, read?: Read): unknown {
  return evaluateWithin(expr, data, data, read);
}

/**
 * evaluate() for a subtree of a compiled condition (src/rules/compiledLogic.ts), which may run inside a
 * map/filter scope: `data` is the scope's element, and reads count only where the data is the facts `root`.
 */
export function evaluateWithin(expr: unknown, data: unknown, root: unknown, read: Read | undefined): unknown {
  const [prevRoot, prevRead] = [readRoot, onRead];
  readRoot = root;
  onRead = read;
  try {
    return logic.apply(expr as JsonLogic.RulesLogic, data);
  } finally {
    readRoot = prevRoot;
    onRead = prevRead;
  }
}

/** JSON-logic truthiness: like JavaScript, except that an empty array is false. */
export function truthy(value: unknown): boolean {
  return logic.truthy(value);
}
