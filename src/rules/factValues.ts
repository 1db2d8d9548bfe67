/** A facts path (`handoff.champion`) read over own properties only, as the rules engine reads it. */
export function valueAt(facts: Record<string, unknown>, path: string): unknown {
  let v: unknown = facts;
  for (const seg of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

/** What counts as "not provided" for a required field: absent, null, empty text or an empty list. */
export const isBlank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
