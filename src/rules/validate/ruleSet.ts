import type { Diagnostic, Severity } from '../../diagnostics/diagnostic.ts';
import { didYouMean } from '../../diagnostics/suggest.ts';
import { formatPath } from '../../diagnostics/diagnostic.ts';
import { ajvToDiagnostics } from '../../schema/ajvDiagnostics.ts';
import { parseLocatedYaml } from '../../yaml/located.ts';
import { isKind, KIND_SPECS, KINDS, type Kind } from '../kinds.ts';
import { PROTOTYPE_KEYS } from '../operators.ts';
import { ruleSchemas } from '../schemas.ts';
import type { RuleSetDoc } from '../types.ts';
import type { FactsIndex } from './factsPaths.ts';
import { checkKind } from './kindChecks.ts';
import { checkCondition, type Path } from './logic.ts';
import { checkOutcome, checkSetFields, type ConfigIds, type OutcomeContext } from './outcomes.ts';
import { checkPolicy, type PolicyRule } from './policy.ts';
import { ruleStarts, withRuleId } from './yamlErrors.ts';

export interface RuleLocation {
  id: string;
  index: number;
  line: number;
  column: number;
}

/** A rule-set file that parsed and passed its schema, with where each rule sits. */
export interface LoadedRuleSet<K extends Kind = Kind> {
  kind: K;
  file: string;
  abs: string;
  text: string;
  doc: RuleSetDoc<K>;
  rules: RuleLocation[];
}

export interface DirContext {
  ids: ConfigIds;
  facts: FactsIndex;
  /** Rule ids seen so far in the folder: ids are unique across files, since decisions are stamped with them. */
  seen: Map<string, { file: string; line: number }>;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Keys anywhere in the file that would reach a prototype if a consumer ever indexed by them. */
function prototypeKeys(value: unknown, path: Path, out: Path[]): void {
  if (Array.isArray(value)) value.forEach((v, i) => prototypeKeys(v, [...path, i], out));
  else if (isObj(value)) {
    for (const k of Object.keys(value)) {
      if (PROTOTYPE_KEYS.has(k)) out.push([...path, k]);
      else prototypeKeys(value[k], [...path, k], out);
    }
  }
}

export function checkRuleSetFile(file: string, abs: string, text: string, ctx: DirContext): { set?: LoadedRuleSet; diagnostics: Diagnostic[] } {
  const parsed = parseLocatedYaml(file, text);
  if (!parsed.ok) return { diagnostics: parsed.diagnostics.map((d) => withRuleId(d, ruleStarts(text))) };
  const yaml = parsed.yaml;
  const value = yaml.value;
  const out: Diagnostic[] = [];
  const rules = isObj(value) && Array.isArray(value.rules) ? value.rules : [];
  const ruleIdAt = (path: readonly (string | number)[]) => {
    const r = path[0] === 'rules' && path[1] !== undefined ? rules[Number(path[1])] : undefined;
    return isObj(r) && typeof r.id === 'string' ? r.id : undefined;
  };
  const report = (path: Path, code: string, message: string, severity: Severity = 'error', ruleId = ruleIdAt(path), atKey = false) => {
    const pos = atKey ? yaml.keyPositionOf(path) : yaml.positionOf(path);
    out.push({ severity, file, line: pos.line, column: pos.column, path: formatPath(path) || '(root)', code, message, ...(ruleId ? { ruleId } : {}) });
  };

  if (!isObj(value)) {
    report([], 'schema-type', 'a rule set is a YAML mapping with kind, version, hitPolicy and rules');
    return { diagnostics: out };
  }
  if (!isKind(value.kind)) {
    const got = typeof value.kind === 'string' ? `unknown kind "${value.kind}"${didYouMean(value.kind, KINDS, 3)}` : 'missing "kind"';
    report(value.kind === undefined ? [] : ['kind'], 'unknown-kind', `${got}; expected one of ${KINDS.join(', ')}`);
    return { diagnostics: out };
  }
  const kind = value.kind;
  const spec = KIND_SPECS[kind];
  const validate = ruleSchemas().kinds[kind];
  const schemaValid = validate(value);
  const protoPaths: Path[] = [];
  prototypeKeys(value, [], protoPaths);
  const isProto = (d: Diagnostic) => d.code === 'schema-additionalProperties' && /^unknown field "(__proto__|constructor|prototype)"$/.test(d.message);
  out.push(
    ...ajvToDiagnostics(validate.errors, yaml, (p) => {
      const id = ruleIdAt(p);
      return id ? { ruleId: id } : {};
    }).filter((d) => !isProto(d)),
  );
  for (const p of protoPaths) {
    // Keys inside a condition are operators; the condition checker reports those.
    if (!(p[0] === 'rules' && p[2] === 'when')) report(p, 'prototype-key', `"${String(p[p.length - 1])}" is not allowed as a key: it reaches the object prototype`);
  }

  const located: RuleLocation[] = [];
  const policyRules: PolicyRule[] = [];
  rules.forEach((r, i) => {
    if (!isObj(r)) return;
    const id = typeof r.id === 'string' ? r.id : `#${i + 1}`;
    const pos = yaml.positionOf(['rules', i, 'id']);
    located.push({ id, index: i, line: pos.line, column: pos.column });
    if (typeof r.id === 'string') {
      const first = ctx.seen.get(r.id);
      if (first) report(['rules', i, 'id'], 'duplicate-id', `duplicate rule id "${r.id}" (first defined at ${first.file}:${first.line})`);
      else ctx.seen.set(r.id, { file, line: pos.line });
    }
    if (r.when === undefined) return;
    const ruleId = typeof r.id === 'string' ? r.id : undefined;
    checkCondition(r.when, {
      facts: ctx.facts,
      namespaces: spec.facts,
      kind,
      report: (p, code, msg, sev, atKey) => report(['rules', i, 'when', ...p], code, msg, sev, ruleId, atKey),
    });
    policyRules.push({ index: i, id, when: r.when, line: pos.line });
  });
  checkPolicy(value.hitPolicy, policyRules, value.noMatch !== undefined, file, report);

  // These checks look only at values of the expected type, so they also run when the schema failed
  // elsewhere: one pass reports a bad duration and an unknown queue together.
  const octx: OutcomeContext = { ids: ctx.ids, facts: ctx.facts, spec, report: (p, c, m, s) => report(p, c, m, s) };
  rules.forEach((r, i) => isObj(r) && checkOutcome(r.then, ['rules', i, 'then'], octx));
  if (isObj(value.noMatch)) checkOutcome(value.noMatch.outcome, ['noMatch', 'outcome'], octx);
  checkSetFields(value, octx);
  checkKind(kind, value, octx);
  if (!schemaValid || out.some((d) => d.severity === 'error')) return { diagnostics: out };
  return { set: { kind, file, abs, text, doc: value as unknown as RuleSetDoc, rules: located }, diagnostics: out };
}
