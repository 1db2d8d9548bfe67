import { CUSTOM_OPERATIONS, truthy } from './jsonLogic.ts';

/**
 * The operations of json-logic-js 2.0.5 whose arguments are all evaluated first, as plain functions for
 * src/rules/compiledLogic.ts. Each keeps the original's argument handling (formal parameters where the
 * original names them, every argument where it reads `arguments`), because the oracle tests compare the two
 * on out-of-spec argument counts too. `var`, `missing` and `missing_some` read data, so the compiler builds
 * them itself; `log` is not here because Flywheel removed it.
 */
export type Operation = (...args: unknown[]) => unknown;

// JSON-logic compares and computes with JavaScript's coercions; `any` says so once instead of at every use.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the one place, on purpose (see above)
type Any = any;

const STANDARD: Record<string, Operation> = {
  '==': (a: Any, b: Any) => a == b,
  '===': (a, b) => a === b,
  '!=': (a: Any, b: Any) => a != b,
  '!==': (a, b) => a !== b,
  '>': (a: Any, b: Any) => a > b,
  '>=': (a: Any, b: Any) => a >= b,
  '<': (a: Any, b: Any, c: Any) => (c === undefined ? a < b : a < b && b < c),
  '<=': (a: Any, b: Any, c: Any) => (c === undefined ? a <= b : a <= b && b <= c),
  '!!': (a) => truthy(a),
  '!': (a) => !truthy(a),
  '%': (a: Any, b: Any) => a % b,
  in: (a, b: Any) => {
    if (!b || typeof b.indexOf === 'undefined') return false;
    return b.indexOf(a) !== -1;
  },
  cat: (...xs) => xs.join(''),
  substr: (source, start: Any, end: Any) => {
    if (end < 0) {
      // PHP's negative length, as json-logic-js emulates it.
      const temp = String(source).substr(start);
      return temp.substr(0, temp.length + end);
    }
    return String(source).substr(start, end);
  },
  '+': (...xs) => xs.reduce((a: Any, b: Any) => parseFloat(a) + parseFloat(b), 0),
  '*': (...xs) => xs.reduce((a: Any, b: Any) => parseFloat(a) * parseFloat(b)),
  '-': (a: Any, b: Any) => (b === undefined ? -a : a - b),
  '/': (a: Any, b: Any) => a / b,
  min: (...xs: Any[]) => Math.min(...xs),
  max: (...xs: Any[]) => Math.max(...xs),
  merge: (...xs) => xs.reduce((a: Any, b) => a.concat(b), []),
};

/** By name; a Map, so no rule text can reach a prototype member. */
export const OPERATIONS: ReadonlyMap<string, Operation> = new Map([...Object.entries(STANDARD), ...Object.entries(CUSTOM_OPERATIONS)]);
