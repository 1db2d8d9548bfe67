let known: Set<string> | undefined;

/** True when the runtime's ICU knows the IANA zone (aliases such as `UTC` included). */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest known zone name, for a "did you mean" hint on a typo. */
export function suggestTimeZone(tz: string): string | undefined {
  known ??= new Set(Intl.supportedValuesOf('timeZone'));
  let best: string | undefined;
  let bestD = Infinity;
  for (const z of known) {
    const d = distance(tz.toLowerCase(), z.toLowerCase());
    if (d < bestD) [best, bestD] = [z, d];
  }
  return bestD <= 3 ? best : undefined;
}
