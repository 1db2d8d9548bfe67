/**
 * The operators a rule condition may use. Anything else is rejected by `flywheel rules validate`, so a rule
 * can only compute, never act: no `log` (writes to the console) and no `method` (older json-logic-js versions
 * call arbitrary methods with it).
 */
export interface OperatorSpec {
  /** Fewest and most arguments; json-logic-js silently ignores extras, which hides mistakes. */
  min: number;
  max: number;
  origin: 'json-logic' | 'flywheel';
  /** Arguments after the first are evaluated with each array element as data. */
  scoped?: 'element' | 'reduce';
  doc: string;
}

const many = Number.POSITIVE_INFINITY;
const std = (min: number, max: number, doc: string, scoped?: OperatorSpec['scoped']): OperatorSpec => ({ min, max, origin: 'json-logic', doc, ...(scoped ? { scoped } : {}) });
const own = (min: number, max: number, doc: string): OperatorSpec => ({ min, max, origin: 'flywheel', doc });

export const OPERATORS: Readonly<Record<string, OperatorSpec>> = Object.freeze({
  var: std(0, 2, 'value at a facts path, with an optional default'),
  missing: std(1, many, 'the listed paths that are null, empty or absent'),
  missing_some: std(2, 2, '[n, paths]: the missing paths unless at least n are present'),
  if: std(1, many, 'if / then / else-if ... / else'),
  '?:': std(3, 3, 'ternary: condition, then, else'),
  '==': std(2, 2, 'loose equality'),
  '===': std(2, 2, 'strict equality'),
  '!=': std(2, 2, 'loose inequality'),
  '!==': std(2, 2, 'strict inequality'),
  '!': std(1, 1, 'logical not (json-logic truthiness: [] and "" are false)'),
  '!!': std(1, 1, 'cast to boolean'),
  or: std(1, many, 'first truthy argument, or the last'),
  and: std(1, many, 'first falsy argument, or the last'),
  '>': std(2, 2, 'greater than'),
  '>=': std(2, 2, 'greater than or equal'),
  '<': std(2, 3, 'less than; with three arguments, exclusive between'),
  '<=': std(2, 3, 'less than or equal; with three arguments, inclusive between'),
  max: std(1, many, 'largest number'),
  min: std(1, many, 'smallest number'),
  '+': std(1, many, 'sum; with one argument, cast to number'),
  '-': std(1, 2, 'difference; with one argument, negation'),
  '*': std(1, many, 'product'),
  '/': std(2, 2, 'quotient'),
  '%': std(2, 2, 'remainder'),
  in: std(2, 2, 'element of an array, or substring of a string'),
  cat: std(1, many, 'concatenate as strings'),
  substr: std(2, 3, 'substring: source, start, length (negative counts from the end)'),
  merge: std(0, many, 'flatten arrays into one'),
  map: std(2, 2, 'apply to each element', 'element'),
  filter: std(2, 2, 'elements for which the condition holds', 'element'),
  reduce: std(2, 3, 'fold with {current, accumulator}', 'reduce'),
  all: std(2, 2, 'condition holds for every element (false for an empty array)', 'element'),
  some: std(2, 2, 'condition holds for at least one element', 'element'),
  none: std(2, 2, 'condition holds for no element', 'element'),
  starts_with: own(2, 2, 'string starts with a prefix (case-sensitive); false for non-strings'),
  ends_with: own(2, 2, 'string ends with a suffix (case-sensitive); false for non-strings'),
  lower: own(1, 1, 'lower-cased string; null for non-strings'),
  domain_of: own(1, 1, 'lower-cased domain of an e-mail address; null when there is no "@"'),
  days_between: own(2, 2, 'days from the first ISO timestamp to the second (fractional); null if either is invalid'),
});

/** Names that reach an object's prototype chain; never valid as a path segment or key in a rule. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export const FORBIDDEN_REASONS: Readonly<Record<string, string>> = {
  log: 'operator "log" is not allowed in rules: it writes to the console',
  method: 'operator "method" is not allowed in rules: it calls arbitrary methods on data',
};

export function isAllowedOperator(op: string): boolean {
  return Object.hasOwn(OPERATORS, op);
}
