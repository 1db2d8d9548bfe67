import { editDistance as distance } from '../diagnostics/suggest.ts';

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
