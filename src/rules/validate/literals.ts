import type { Severity } from '../../diagnostics/diagnostic.ts';
import { typesOf, type FactsIndex, type SchemaNode } from './factsPaths.ts';

export interface LiteralProblem {
  code: string;
  severity: Severity;
  message: string;
}

/**
 * Whether a literal compared with a facts path can ever be equal to it. An enum or pattern miss is an error
 * (the comparison is constant, almost always a typo); a type mismatch is a warning because loose `==`
 * coerces ("100" == 100), so it is only certain under strict comparison.
 */
export function literalProblem(index: FactsIndex, node: SchemaNode, literal: unknown, strict: boolean): LiteralProblem | null {
  const n = index.deref(node);
  if (n === true) return null;
  if (Array.isArray(n.enum)) {
    const values = n.enum as unknown[];
    if (values.includes(literal)) return null;
    const list = values.map((v) => JSON.stringify(v)).join(', ');
    return { code: 'impossible-value', severity: 'error', message: `is one of ${list}; ${JSON.stringify(literal)} never matches` };
  }
  if (typeof literal === 'string' && typeof n.pattern === 'string' && !new RegExp(n.pattern, 'u').test(literal)) {
    return { code: 'impossible-value', severity: 'error', message: `must match ${n.pattern}; ${JSON.stringify(literal)} never matches` };
  }
  const types = typesOf(n);
  if (types.length === 0) return null;
  const t = literal === null ? 'null' : typeof literal;
  const fits = types.includes(t) || (t === 'number' && types.includes('integer') && Number.isInteger(literal));
  if (fits || !strict) return null;
  return { code: 'type-mismatch', severity: 'warning', message: `holds ${types.join(' or ')}; the ${t} ${JSON.stringify(literal)} never matches with strict comparison` };
}
