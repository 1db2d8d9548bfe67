/**
 * Path lookup over facts that sees own properties only. json-logic-js's `var` walks `data[segment]`, so a
 * path such as `lead.email.constructor` or `lead.technologies.map` would reach built-in prototypes; rules
 * must only ever see the data they were given. On plain JSON every data value is an own property (including
 * array indices and string/array `length`), so results are unchanged — the property test checks exactly that.
 */
export function readOwnPath(data: unknown, path: unknown): { found: boolean; value: unknown } {
  const value = lookup(data, path);
  return value === NOT_FOUND ? { found: false, value: undefined } : { found: true, value };
}

/** Returned by `lookup` when a path does not resolve; a symbol can never be a JSON value. */
export const NOT_FOUND: unique symbol = Symbol('not found');

const splitCache = new Map<string, string[]>();

/** Allocation-free form of readOwnPath for the evaluator's hot path. */
export function lookup(data: unknown, path: unknown): unknown {
  if (path === undefined || path === '' || path === null) return data;
  const key = String(path);
  let segs = splitCache.get(key);
  if (segs === undefined) {
    segs = key.split('.');
    if (splitCache.size < 10_000) splitCache.set(key, segs);
  }
  let cur = data;
  for (const seg of segs) {
    if (cur === null || cur === undefined) return NOT_FOUND;
    if (!Object.hasOwn(typeof cur === 'object' ? cur : Object(cur), seg)) return NOT_FOUND;
    cur = (cur as Record<string, unknown>)[seg];
    if (cur === undefined) return NOT_FOUND;
  }
  return cur;
}

/** Same contract as json-logic-js `var`: the value at `path`, else the default (or null). */
export function ownVar(data: unknown, path?: unknown, fallback?: unknown): unknown {
  const value = lookup(data, path);
  if (value !== NOT_FOUND) return value;
  return fallback === undefined ? null : fallback;
}
