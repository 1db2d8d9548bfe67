import { compileCondition } from '../../../src/rules/compiledLogic.ts';
import { evaluate } from '../../../src/rules/jsonLogic.ts';

/** One evaluation: its value or the message it threw, and every read reported, in order. */
export interface Run {
  outcome: { value: unknown } | { error: string };
  reads: [path: string, value: unknown][];
}

function run(f: (read: (path: string, value: unknown) => void) => unknown): Run {
  const reads: Run['reads'] = [];
  const read = (path: string, value: unknown) => void reads.push([path, value]);
  try {
    return { outcome: { value: f(read) }, reads };
  } catch (e) {
    return { outcome: { error: (e as Error).message }, reads };
  }
}

/** The oracle: Flywheel's json-logic-js evaluator. */
export const interpreted = (expr: unknown, facts: unknown): Run => run((read) => evaluate(expr, facts, read));

export const compiled = (expr: unknown, facts: unknown): Run => {
  const condition = compileCondition(expr);
  return run((read) => condition(facts, read));
};
