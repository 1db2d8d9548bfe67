import type { Severity } from '../../diagnostics/diagnostic.ts';
import { didYouMean } from '../../diagnostics/suggest.ts';
import { FORBIDDEN_REASONS, OPERATORS, PROTOTYPE_KEYS } from '../operators.ts';
import { describeNode, type FactsIndex, type SchemaNode } from './factsPaths.ts';
import { literalProblem } from './literals.ts';

export type Path = (string | number)[];

export interface LogicContext {
  facts: FactsIndex;
  /** Top-level facts the kind may read. */
  namespaces: readonly string[];
  kind: string;
  /** `path` is relative to the condition being checked; `atKey` points at the key rather than its value. */
  report(path: Path, code: string, message: string, severity?: Severity, atKey?: boolean): void;
}

/** What `var` data means where an expression sits: the facts, an array element, or a reduce step. */
type Scope = { at: 'root' } | { at: 'element'; node: SchemaNode; of: string } | { at: 'reduce'; node: SchemaNode; of: string };

const ROOT: Scope = { at: 'root' };
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Checks one `when` condition; every finding goes to `ctx.report`. */
export function checkCondition(expr: unknown, ctx: LogicContext): void {
  check(expr, [], ROOT, ctx);
}

function check(expr: unknown, path: Path, scope: Scope, ctx: LogicContext): void {
  if (Array.isArray(expr)) return expr.forEach((e, i) => check(e, [...path, i], scope, ctx));
  if (!isObj(expr)) return;
  const keys = Object.keys(expr);
  if (keys.length !== 1) {
    ctx.report(
      path,
      'not-an-operation',
      keys.length === 0
        ? 'empty object: json-logic treats it as a literal, which is always truthy'
        : `object with ${keys.length} keys (${keys.join(', ')}) is not an operation: json-logic treats it as a literal, which is always truthy; combine conditions with "and" / "or"`,
    );
    return;
  }
  const op = keys[0]!;
  const raw = expr[op];
  const args = Array.isArray(raw) ? raw : [raw];
  const at = [...path, op];
  const argPath = (i: number): Path => (Array.isArray(raw) ? [...at, i] : at);
  if (PROTOTYPE_KEYS.has(op)) return ctx.report(at, 'prototype-key', `"${op}" is not allowed as a key: it reaches the object prototype`, 'error', true);
  const spec = Object.hasOwn(OPERATORS, op) ? OPERATORS[op] : undefined;
  if (!spec) {
    const why = FORBIDDEN_REASONS[op] ?? `unknown operator "${op}"${didYouMean(op, Object.keys(OPERATORS))}`;
    ctx.report(at, 'unknown-operator', why, 'error', true);
    return args.forEach((a, i) => check(a, argPath(i), scope, ctx));
  }
  if (args.length < spec.min || args.length > spec.max) {
    const want = spec.max === spec.min ? `${spec.min}` : spec.max === Infinity ? `at least ${spec.min}` : `${spec.min} to ${spec.max}`;
    ctx.report(at, 'arity', `"${op}" takes ${want} argument${want === '1' ? '' : 's'}, got ${args.length}`, 'error', true);
  }

  if (op === 'var') {
    const p = args[0];
    if (p === undefined || p === null || p === '') {
      if (scope.at === 'root') ctx.report(at, 'whole-facts', '"var" with an empty path reads all facts; name the path you need');
    } else if (typeof p === 'string' || typeof p === 'number') checkPath(String(p), argPath(0), scope, ctx);
    else {
      ctx.report(argPath(0), 'computed-path', '"var" needs a literal path so it can be checked against the facts schema');
      check(p, argPath(0), scope, ctx);
    }
    return args.slice(1).forEach((a, i) => check(a, argPath(i + 1), scope, ctx));
  }
  if (op === 'missing' || op === 'missing_some') {
    const listAt = op === 'missing' ? null : 1;
    if (listAt !== null) check(args[0], argPath(0), scope, ctx);
    const list = listAt === null ? (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) : args[1];
    const base: Path = listAt === null ? (args.length === 1 && Array.isArray(args[0]) ? argPath(0) : at) : argPath(1);
    if (!Array.isArray(list)) return ctx.report(base, 'computed-path', `"${op}" needs a literal list of paths so they can be checked`);
    const single = listAt === null && !Array.isArray(raw);
    list.forEach((p, i) => {
      const where = single ? base : [...base, i];
      if (typeof p === 'string' || typeof p === 'number') checkPath(String(p), where, scope, ctx);
      else ctx.report(where, 'computed-path', `"${op}" needs literal paths so they can be checked`);
    });
    return;
  }
  if (spec.scoped) {
    check(args[0], argPath(0), scope, ctx);
    const of = describeSource(args[0]);
    const element = elementOf(args[0], scope, ctx);
    const inner: Scope = spec.scoped === 'reduce' ? { at: 'reduce', node: element, of } : { at: 'element', node: element, of };
    if (args.length > 1) check(args[1], argPath(1), inner, ctx);
    return args.slice(2).forEach((a, i) => check(a, argPath(i + 2), scope, ctx));
  }
  args.forEach((a, i) => check(a, argPath(i), scope, ctx));
  checkLiterals(op, args, argPath, scope, ctx);
}

/** Checks a `var`/`missing` path in its scope and returns what it holds (`true` if unknown). */
function checkPath(p: string, where: Path, scope: Scope, ctx: LogicContext): SchemaNode | undefined {
  const segs = p.split('.');
  const bad = segs.find((s) => PROTOTYPE_KEYS.has(s));
  if (bad !== undefined) {
    ctx.report(where, 'prototype-path', `path "${p}" has the segment "${bad}", which reaches the object prototype`);
    return undefined;
  }
  if (scope.at === 'reduce') {
    if (segs[0] === 'accumulator') return true;
    if (segs[0] !== 'current') {
      ctx.report(where, 'undeclared-fact', `inside "reduce" a path starts with "current" or "accumulator", got "${p}"`);
      return undefined;
    }
    return resolveIn({ at: 'element', node: scope.node, of: scope.of }, segs.slice(1), p, where, ctx);
  }
  if (scope.at === 'root' && !ctx.namespaces.includes(segs[0]!)) {
    const known = ctx.facts.keys(ctx.facts.root).includes(segs[0]!);
    ctx.report(
      where,
      known ? 'fact-not-available' : 'undeclared-fact',
      known ? `${ctx.kind} rules cannot read "${p}": they may read ${ctx.namespaces.join(', ')}` : `undeclared fact "${p}"${hint(ctx.facts.suggest(p, ctx.namespaces))}`,
    );
    return undefined;
  }
  return resolveIn(scope, segs, p, where, ctx);
}

function resolveIn(scope: Scope, segs: string[], p: string, where: Path, ctx: LogicContext): SchemaNode | undefined {
  if (segs.length === 0) return scope.at === 'root' ? ctx.facts.root : scope.at === 'element' ? scope.node : true;
  const from = scope.at === 'root' ? ctx.facts.root : scope.node;
  const r = ctx.facts.resolve(from, segs);
  if (r.ok) return r.node;
  if (scope.at === 'root') ctx.report(where, 'undeclared-fact', `undeclared fact "${p}"${hint(ctx.facts.suggest(p, ctx.namespaces))}`);
  else {
    const name = segs.slice(0, r.at + 1).join('.');
    ctx.report(where, 'undeclared-fact', `"${name}" is not declared on the elements of ${scope.of} (each is ${describeNode(ctx.facts, from)})${didYouMean(segs[r.at]!, r.known)}`);
  }
  return undefined;
}

const hint = (s: string | undefined) => (s ? ` (did you mean "${s}"?)` : '');

/** Element schema of an array expression: a declared array path, or a filter over one; else unknown. */
function elementOf(expr: unknown, scope: Scope, ctx: LogicContext): SchemaNode {
  if (!isObj(expr)) return true;
  if ('filter' in expr && Array.isArray(expr.filter)) return elementOf(expr.filter[0], scope, ctx);
  const node = varNode(expr, scope, ctx);
  return node === undefined ? true : ctx.facts.items(node);
}

function describeSource(expr: unknown): string {
  const p = varPathOf(expr);
  return p !== undefined ? p : 'a computed array';
}

export function varPathOf(expr: unknown): string | undefined {
  if (!isObj(expr) || Object.keys(expr).length !== 1 || !('var' in expr)) return undefined;
  const a = Array.isArray(expr.var) ? expr.var[0] : expr.var;
  return typeof a === 'string' || typeof a === 'number' ? String(a) : undefined;
}

/** Schema node of a literal-path `var` without reporting (the path was reported when checked). */
function varNode(expr: unknown, scope: Scope, ctx: LogicContext): SchemaNode | undefined {
  const p = varPathOf(expr);
  if (p === undefined || p === '') return p === '' && scope.at === 'element' ? scope.node : undefined;
  const silent: LogicContext = { ...ctx, report: () => {} };
  return checkPath(p, [], scope, silent);
}

/** `lead.region == "europe"` can never hold when the schema says region is one of emea, na, ...: say so. */
function checkLiterals(op: string, args: unknown[], argPath: (i: number) => Path, scope: Scope, ctx: LogicContext): void {
  const strict = op === '===' || op === '!==';
  const compare = (varAt: number, litAt: number) => {
    const node = varNode(args[varAt], scope, ctx);
    const lit = args[litAt];
    if (node === undefined || isObj(lit) || Array.isArray(lit)) return;
    const problem = literalProblem(ctx.facts, node, lit, strict);
    if (problem) ctx.report(argPath(litAt), problem.code, `${varPathOf(args[varAt])} ${problem.message}`, problem.severity);
  };
  if (['==', '===', '!=', '!=='].includes(op) && args.length === 2) {
    compare(0, 1);
    compare(1, 0);
  }
  if (op !== 'in' || args.length !== 2) return;
  const [needle, haystack] = args;
  if (Array.isArray(haystack)) {
    // `lead.region in ["emea", "europe"]`: membership is strict (indexOf).
    const node = varNode(needle, scope, ctx);
    if (node === undefined) return;
    haystack.forEach((lit, i) => {
      if (isObj(lit) || Array.isArray(lit)) return;
      const problem = literalProblem(ctx.facts, node, lit, true);
      if (problem) ctx.report([...argPath(1), i], problem.code, `${varPathOf(needle)} ${problem.message}`, problem.severity);
    });
  } else if (!isObj(needle) && !Array.isArray(needle)) {
    // `"A" in icp.reasons`: only an array path has an element schema to check against.
    const node = varNode(haystack, scope, ctx);
    const n = node === undefined ? undefined : ctx.facts.deref(node);
    if (n === undefined || n === true || n.items === undefined) return;
    const problem = literalProblem(ctx.facts, ctx.facts.items(n), needle, true);
    if (problem) ctx.report(argPath(0), problem.code, `elements of ${varPathOf(haystack)}: ${problem.message}`, problem.severity);
  }
}
