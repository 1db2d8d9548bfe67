import { describe, expect, it } from 'vitest';
import { eventKey } from '../../../src/events/catalog.ts';
import { digestKey, forgetKey, hasSeen, rememberKey, type SeenKeys } from '../../../workflows/shared/seen.ts';

const key = (i: number) => eventKey({ source: '/crm/hubspot', id: `evt-${i}` });
const fresh = (): SeenKeys => ({ seen: [] });

describe('long-lived event de-duplication', () => {
  it('recognises all of 5,000 applied keys, keeping the latest 200 verbatim and the rest as digests', () => {
    const s = fresh();
    for (let i = 0; i < 5000; i++) rememberKey(s, key(i), 200);
    expect(s.seen).toEqual(Array.from({ length: 200 }, (_, i) => key(4800 + i)));
    expect(s.seenDigests).toHaveLength(4800);
    for (let i = 0; i < 5000; i++) expect(hasSeen(s, key(i)), key(i)).toBe(true);
  });

  it('does not mistake fresh keys for seen ones', () => {
    const s = fresh();
    for (let i = 0; i < 5000; i++) rememberKey(s, key(i), 200);
    const falsePositives = Array.from({ length: 5000 }, (_, i) => key(5000 + i)).filter((k) => hasSeen(s, k));
    expect(falsePositives).toEqual([]);
    // Near misses too: the same ids from another source, and ids with one more character.
    expect(Array.from({ length: 2000 }, (_, i) => eventKey({ source: '/crm/salesforce', id: `evt-${i}` })).filter((k) => hasSeen(s, k))).toEqual([]);
    expect(Array.from({ length: 2000 }, (_, i) => `${key(i)}x`).filter((k) => hasSeen(s, k))).toEqual([]);
  });

  it('keeps the state plain numbers and strings: it survives JSON (history payloads, continue-as-new)', () => {
    const s = fresh();
    for (let i = 0; i < 1000; i++) rememberKey(s, key(i), 50);
    expect(s.seenDigests!.every((d) => Number.isSafeInteger(d) && d >= 0)).toBe(true);
    expect(s.seenDigests!.every((d, i, all) => i === 0 || all[i - 1]! < d)).toBe(true);
    const carried = JSON.parse(JSON.stringify(s)) as SeenKeys;
    expect(carried).toEqual(s);
    expect(Array.from({ length: 1000 }, (_, i) => key(i)).every((k) => hasSeen(carried, k))).toBe(true);
  });

  it('forgets a kept-but-unapplied key also after it moved into a digest', () => {
    const s: SeenKeys = { seen: [] };
    rememberKey(s, 'early#1', 2);
    for (let i = 0; i < 5; i++) rememberKey(s, `later#${i}`, 2);
    expect(s.seen).not.toContain('early#1');
    expect(hasSeen(s, 'early#1')).toBe(true);
    forgetKey(s, 'early#1');
    expect(hasSeen(s, 'early#1')).toBe(false);
    expect(hasSeen(s, 'later#0')).toBe(true);
    rememberKey(s, 'later#4', 2);
    forgetKey(s, 'later#4');
    expect(hasSeen(s, 'later#4')).toBe(false);
  });

  it('remembers a key once: a redelivered key changes nothing', () => {
    const s = fresh();
    for (let i = 0; i < 10; i++) rememberKey(s, key(i), 5);
    const before = JSON.stringify(s);
    rememberKey(s, key(2), 5); // digested
    rememberKey(s, key(8), 5); // verbatim
    expect(JSON.stringify(s)).toBe(before);
  });

  it('reads a state recorded before digests existed', () => {
    const legacy: SeenKeys = { seen: [key(1), key(2)] };
    expect(hasSeen(legacy, key(1))).toBe(true);
    expect(hasSeen(legacy, key(3))).toBe(false);
    rememberKey(legacy, key(3), 2);
    expect(legacy).toEqual({ seen: [key(2), key(3)], seenDigests: [digestKey(key(1))] });
    expect(hasSeen(legacy, key(1))).toBe(true);
  });

  it('is cyrb53 exactly (its published values): digests live in workflow state, so the function may never change', () => {
    expect(['a', 'b', 'revenge', 'revenue'].map((k) => digestKey(k))).toEqual([7929297801672961, 8684336938537663, 4051478007546757, 8309097637345594]);
  });
});
