import { OPERATIONS, type Operation } from './compiledOperations.ts';
import { evaluateWithin, truthy } from './jsonLogic.ts';
import { lookup, NOT_FOUND } from './ownView.ts';

/**
 * JSON-logic conditions compiled to closures, once per rule when a set is compiled. json-logic-js re-reads
 * the expression tree, allocates argument arrays and dispatches by operator name at every evaluation; a
 * compiled condition did that work once and runs several times faster (bench/rules.ts), which counts when
 * `flywheel rules impact` replays every recorded decision under two revisions. Flywheel's evaluator
 * (src/rules/jsonLogic.ts) stays the reference: a compiled condition returns what `evaluate(expr, facts,
 * read)` returns, throws where it throws, and reports the same reads in the same order, quirks included.
 * test/unit/rules/compiledLogic*.test.ts hold the two to that on the JsonLogic suite and on random
 * expressions. Rule text is data here: it selects prebuilt closures and is never turned into code.
 */

type Read = (path: string, value: unknown) => void;

/** A compiled condition: the expression's value for these facts; `read` receives each facts path read. */
export type CompiledCondition = (facts: unknown, read?: Read) => unknown;

/**
 * A compiled subexpression. `data` is what `var` reads: the facts, or an element inside map/filter/reduce/
 * all/some/none. Reads are reported only when `data` is the facts `root`, as the evaluator does.
 */
type Node = (data: unknown, root: unknown, read: Read | undefined) => unknown;

export function compileCondition(expr: unknown): CompiledCondition {
  const node = compile(expr);
  return (facts, read) => node(facts, facts, read);
}

/** json-logic-js's `is_logic`: an object with exactly one key is an operation; any other object is a value. */
function isLogic(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && Object.keys(x).length === 1;
}

/** Evaluates to itself (json-logic-js returns such values as they are, objects by reference). */
const isConstant = (x: unknown): boolean => !Array.isArray(x) && !isLogic(x);

function compile(expr: unknown): Node {
  if (Array.isArray(expr)) return compileArray(expr);
  if (!isLogic(expr)) return () => expr;
  const op = Object.keys(expr)[0]!;
  const raw = expr[op];
  const args = Array.isArray(raw) ? raw : [raw];
  const form = FORMS.get(op);
  if (form) return form(args);
  const operation = OPERATIONS.get(op);
  if (operation) return call(operation, args.map(compile));
  // An unknown operator throws "Unrecognized operation"; a dotted name walks json-logic-js's own operation
  // table. Both are rare enough to leave to json-logic-js itself, which gets them right by definition.
  return (data, root, read) => evaluateWithin(expr, data, root, read);
}

/** Arrays are evaluated element by element into a new array each time, as json-logic-js does. */
function compileArray(items: unknown[]): Node {
  if (items.every(isConstant)) {
    const values = [...items];
    return () => values.slice();
  }
  const nodes = items.map(compile);
  return (data, root, read) => all(nodes, data, root, read);
}

function all(nodes: readonly Node[], data: unknown, root: unknown, read: Read | undefined): unknown[] {
  const out: unknown[] = [];
  for (const node of nodes) out.push(node(data, root, read));
  return out;
}

/** Every argument is evaluated, in order, before the operation runs: their reads and errors come first. */
function call(fn: Operation, nodes: Node[]): Node {
  const [a, b, c] = nodes as [Node, Node, Node];
  switch (nodes.length) {
    case 0:
      return () => fn();
    case 1:
      return (d, r, rd) => fn(a(d, r, rd));
    case 2:
      return (d, r, rd) => fn(a(d, r, rd), b(d, r, rd));
    case 3:
      return (d, r, rd) => fn(a(d, r, rd), b(d, r, rd), c(d, r, rd));
    default:
      return (d, r, rd) => fn(...all(nodes, d, r, rd));
  }
}

/** Flywheel's `var` (src/rules/jsonLogic.ts ownVar): own properties only, top-level reads reported. */
function varAt(data: unknown, root: unknown, read: Read | undefined, path: unknown, fallback: unknown): unknown {
  const value = lookup(data, path);
  if (read !== undefined && data === root && (typeof path === 'string' || typeof path === 'number') && path !== '') {
    read(String(path), value === NOT_FOUND ? null : value);
  }
  if (value !== NOT_FOUND) return value;
  return fallback === undefined ? null : fallback;
}

function compileVar(args: unknown[]): Node {
  const [path, fallback] = args;
  if (args.length <= 2 && (typeof path === 'string' || typeof path === 'number') && isConstant(fallback)) {
    // The common case, `{var: "lead.region"}`: nothing to evaluate before the lookup.
    const key = String(path);
    const reported = path !== '';
    const otherwise = fallback === undefined ? null : fallback;
    return (data, root, read) => {
      const value = lookup(data, key);
      if (read !== undefined && reported && data === root) read(key, value === NOT_FOUND ? null : value);
      return value === NOT_FOUND ? otherwise : value;
    };
  }
  const nodes = args.map(compile);
  return (data, root, read) => {
    const values = all(nodes, data, root, read);
    return varAt(data, root, read, values[0], values[1]);
  };
}

const isPrimitive = (x: unknown): boolean => x === null || (typeof x !== 'object' && typeof x !== 'function');

/**
 * json-logic-js's `missing` evaluates `{var: key}` for each key; a key that is an array or object is
 * evaluated as logic there, so such keys go to json-logic-js.
 */
function missingOf(keys: readonly unknown[], data: unknown, root: unknown, read: Read | undefined): unknown[] {
  const out: unknown[] = [];
  for (const key of keys) {
    const value = isPrimitive(key) ? varAt(data, root, read, key, undefined) : evaluateWithin({ var: key }, data, root, read);
    if (value === null || value === '') out.push(key);
  }
  return out;
}

function compileMissing(args: unknown[]): Node {
  if (args.every(isPrimitive)) {
    const keys = [...args];
    return (data, root, read) => missingOf(keys, data, root, read);
  }
  const nodes = args.map(compile);
  return (data, root, read) => {
    const values = all(nodes, data, root, read);
    return missingOf(Array.isArray(values[0]) ? values[0] : values, data, root, read);
  };
}

function compileMissingSome(args: unknown[]): Node {
  const nodes = args.map(compile);
  return (data, root, read) => {
    const [need, options] = all(nodes, data, root, read) as [number, { length: number }];
    // json-logic-js evaluates `{missing: options}`, so options that are not plain keys are evaluated again.
    const missing = (Array.isArray(options) && options.every(isPrimitive) ? missingOf(options, data, root, read) : evaluateWithin({ missing: options }, data, root, read)) as unknown[];
    return options.length - missing.length >= need ? [] : missing;
  };
}

/** `if` and `?:`: condition/value pairs, then an optional else; no else gives null. */
function compileIf(args: unknown[]): Node {
  const nodes = args.map(compile);
  if (nodes.length === 3) {
    const [test, then, otherwise] = nodes as [Node, Node, Node];
    return (d, r, rd) => (truthy(test(d, r, rd)) ? then(d, r, rd) : otherwise(d, r, rd));
  }
  return (d, r, rd) => {
    let i = 0;
    for (; i < nodes.length - 1; i += 2) if (truthy(nodes[i]!(d, r, rd))) return nodes[i + 1]!(d, r, rd);
    return nodes.length === i + 1 ? nodes[i]!(d, r, rd) : null;
  };
}

/** `and` returns the first falsy value, `or` the first truthy one, else the last (undefined when empty). */
function compileJunction(stopWhen: boolean): (args: unknown[]) => Node {
  return (args) => {
    const nodes = args.map(compile);
    return (d, r, rd) => {
      let current: unknown;
      for (const node of nodes) {
        current = node(d, r, rd);
        if (truthy(current) === stopWhen) return current;
      }
      return current;
    };
  };
}

/** Array operators: the first argument is evaluated against the data, the second against each element. */
type Scoped = (items: unknown[], each: Node, root: unknown, read: Read | undefined) => unknown;

function compileScoped(onArray: Scoped, otherwise: () => unknown): (args: unknown[]) => Node {
  return (args) => {
    const source = compile(args[0]);
    const each = compile(args[1]);
    return (d, r, rd) => {
      const items = source(d, r, rd);
      return Array.isArray(items) ? onArray(items, each, r, rd) : otherwise();
    };
  };
}

/** Whether some element's condition has this truthiness; an index loop, as json-logic-js's all/some/none. */
function anyIs(wanted: boolean, items: unknown[], each: Node, root: unknown, read: Read | undefined): boolean {
  for (let i = 0; i < items.length; i++) if (truthy(each(items[i], root, read)) === wanted) return true;
  return false;
}

function compileReduce(args: unknown[]): Node {
  const source = compile(args[0]);
  const each = compile(args[1]);
  const initial = args[2] !== undefined ? compile(args[2]) : () => null;
  return (d, r, rd) => {
    const items = source(d, r, rd);
    const start = initial(d, r, rd);
    if (!Array.isArray(items)) return start;
    return items.reduce((accumulator: unknown, current: unknown) => each({ current, accumulator }, r, rd), start);
  };
}

const FORMS: ReadonlyMap<string, (args: unknown[]) => Node> = new Map([
  ['var', compileVar],
  ['missing', compileMissing],
  ['missing_some', compileMissingSome],
  ['if', compileIf],
  ['?:', compileIf],
  ['and', compileJunction(false)],
  ['or', compileJunction(true)],
  [
    'map',
    compileScoped(
      (items, each, r, rd) => items.map((x) => each(x, r, rd)),
      () => [],
    ),
  ],
  [
    'filter',
    compileScoped(
      (items, each, r, rd) => items.filter((x) => truthy(each(x, r, rd))),
      () => [],
    ),
  ],
  [
    'all',
    compileScoped(
      (items, each, r, rd) => items.length > 0 && !anyIs(false, items, each, r, rd),
      () => false,
    ),
  ],
  [
    'some',
    compileScoped(
      (items, each, r, rd) => anyIs(true, items, each, r, rd),
      () => false,
    ),
  ],
  [
    'none',
    compileScoped(
      (items, each, r, rd) => !anyIs(true, items, each, r, rd),
      () => true,
    ),
  ],
  ['reduce', compileReduce],
]);
