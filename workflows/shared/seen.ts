/**
 * Long-lived de-duplication of applied event keys. Pure: bundled into workflow code.
 *
 * The latest `max` keys are kept verbatim (cheap to read in the `state` query); a key pushed out of that window is
 * kept as a digest, so CRM redelivery is recognised for the record's whole life while the state (and so every
 * history payload and continue-as-new input) grows by one number per event instead of one string.
 */

/**
 * cyrb53 (a public-domain, non-cryptographic string hash by bryc), written out here rather than imported: the
 * workflow bundle takes no dependencies. Its 53 bits are an exact JavaScript integer, so digests survive JSON.
 * With n digests a fresh key collides with probability about n / 2^53: for any lead's lifetime, never.
 */
export function digestKey(key: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < key.length; i++) {
    const ch = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export interface SeenKeys {
  seen: string[];
  /** Sorted ascending, so a lookup is a binary search; absent on records from before digests existed. */
  seenDigests?: number[];
}

/** Whether this key was applied before: among the latest keys, or digested from older ones. */
export function hasSeen(s: SeenKeys, key: string): boolean {
  if (s.seen.includes(key)) return true;
  const digests = s.seenDigests;
  if (!digests || digests.length === 0) return false;
  const d = digestKey(key);
  const i = lowerBound(digests, d);
  return digests[i] === d;
}

/** Remembers an applied key: the latest `max` verbatim, older ones as digests. A key already seen is a no-op. */
export function rememberKey(s: SeenKeys, key: string, max: number): void {
  if (hasSeen(s, key)) return;
  s.seen.push(key);
  const over = s.seen.length - Math.max(0, max);
  if (over <= 0) return;
  const digests = (s.seenDigests ??= []);
  for (const old of s.seen.splice(0, over)) {
    const d = digestKey(old);
    const i = lowerBound(digests, d);
    if (digests[i] !== d) digests.splice(i, 0, d);
  }
}

/**
 * Forgets a key that was remembered but never applied (an event kept until its record exists), wherever it went:
 * with many events before the record, an early key can already have moved from the verbatim window into a digest.
 */
export function forgetKey(s: SeenKeys, key: string): void {
  s.seen = s.seen.filter((k) => k !== key);
  const digests = s.seenDigests;
  if (!digests || digests.length === 0) return;
  const d = digestKey(key);
  const i = lowerBound(digests, d);
  if (digests[i] === d) digests.splice(i, 1);
}

/** The first index whose value is >= d (digests.length when none is). */
function lowerBound(digests: readonly number[], d: number): number {
  let lo = 0;
  let hi = digests.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (digests[mid]! < d) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
