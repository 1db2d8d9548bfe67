const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** `expected` is a partial picture of `actual`: listed fields are equal; arrays match element by element. */
export function partialMatch(expected: unknown, actual: unknown): boolean {
  if (isObj(expected)) return isObj(actual) && Object.keys(expected).every((k) => Object.hasOwn(actual, k) && partialMatch(expected[k], actual[k]));
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => partialMatch(e, actual[i]));
  return Object.is(expected, actual) || (expected === 0 && actual === 0);
}

/** `actual` cut down to the fields `expected` mentions, so a diff shows what the case is about. */
export function project(actual: unknown, expected: unknown): unknown {
  if (isObj(expected) && isObj(actual)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(expected)) if (Object.hasOwn(actual, k)) out[k] = project(actual[k], expected[k]);
    return out;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) return actual.map((a, i) => (i < expected.length ? project(a, expected[i]) : a));
  return actual;
}

export function valueLines(v: unknown): string[] {
  return (JSON.stringify(v, null, 2) ?? 'undefined').split('\n');
}

/** Line diff by longest common subsequence: `  ` same, `- ` only expected, `+ ` only actual. */
export function lineDiff(expected: string[], actual: string[]): string[] {
  const n = expected.length;
  const m = actual.length;
  const lcs = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = expected[i] === actual[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] === actual[j]) {
      out.push(`  ${expected[i++]}`);
      j++;
    } else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push(`- ${expected[i++]}`);
    else out.push(`+ ${actual[j++]}`);
  }
  return out;
}
