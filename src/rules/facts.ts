import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import { ajvToDiagnostics, pointerToPath } from '../schema/ajvDiagnostics.ts';
import type { LocatedYaml } from '../yaml/located.ts';
import { ruleSchemas } from './schemas.ts';
import { FactsIndex } from './validate/factsPaths.ts';

let index: FactsIndex | undefined;

/** The facts schema as a path index (shared: it is immutable). */
export function factsIndex(): FactsIndex {
  index ??= new FactsIndex(ruleSchemas().factsSchema);
  return index;
}

const escape = (s: string | number) => String(s).replace(/~/g, '~0').replace(/\//g, '~1');

/** "did you mean" for an unknown field: a typo in a test's facts should read like a typo in a rule. */
function hintFor(e: ErrorObject): string {
  if (e.keyword !== 'additionalProperties') return '';
  const facts = factsIndex();
  const parent = pointerToPath(e.instancePath).filter((s) => !/^\d+$/.test(s));
  const r = facts.resolve(facts.root, parent);
  return r.ok ? didYouMean(String((e.params as { additionalProperty?: unknown }).additionalProperty), facts.keys(r.node)) : '';
}

/**
 * Validates facts against the facts schema; `at` is where they sit in `doc` (e.g. `cases[2].facts` in a
 * test file), so each problem points at the line a person wrote.
 */
export function factsDiagnostics(facts: unknown, doc: LocatedYaml, at: readonly (string | number)[] = []): Diagnostic[] {
  const validate = ruleSchemas().facts;
  if (validate(facts)) return [];
  const prefix = at.map((s) => `/${escape(s)}`).join('');
  const relative = validate.errors ?? [];
  return relative.flatMap((e) => {
    const hint = hintFor(e);
    return ajvToDiagnostics([{ ...e, instancePath: prefix + e.instancePath }], doc).map((d) =>
      e.keyword === 'additionalProperties' ? { ...d, code: 'undeclared-fact', message: `${d.message.replace('unknown field', 'undeclared fact')}${hint}` } : d,
    );
  });
}

/** Unlocated check for facts that arrive at run time (an activity's input): one line per problem. */
export function checkFacts(facts: unknown): string[] {
  const validate = ruleSchemas().facts;
  if (validate(facts)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${e.instancePath || '(facts)'}: ${e.keyword === 'additionalProperties' ? `undeclared fact "${String((e.params as { additionalProperty?: unknown }).additionalProperty)}"` : (e.message ?? e.keyword)}`,
  );
}
