import { describe, expect, it } from 'vitest';
import { Progress } from '../../../src/cli/progress.ts';
import { parseCsv, parseNdjson } from '../../../src/import/files.ts';
import { buildEvent, columnMapping } from '../../../src/import/records.ts';

const origin = { source: 'import://file/book.csv', system: 'file' as const, name: 'book.csv' };

describe('import files and records', () => {
  it('numbers CSV rows by the line they start on, also after a quoted line break, and reports a short row', () => {
    const read = parseCsv('id,name,arr\n1,"Acme\nGmbH",100\n2,Beta\n3,Gamma,300\n');
    expect(read.rows.map((r) => [r.line, r.values.name])).toEqual([
      [2, 'Acme\nGmbH'],
      [5, 'Gamma'],
    ]);
    expect(read.problems).toEqual([{ line: 4, field: '(row)', problem: 'has 2 field(s), the header has 3' }]);
  });

  it('flattens NDJSON objects to dotted columns and names a line that is not JSON', () => {
    const read = parseNdjson('{"id":"a","health":{"score":80}}\n\n[1]\n{"id":\n');
    expect(read.rows).toEqual([{ line: 1, values: { id: 'a', 'health.score': 80 } }]);
    expect(read.problems.map((p) => [p.line, p.field])).toEqual([
      [3, '(json)'],
      [4, '(json)'],
    ]);
  });

  it('maps headers by name and alias, explicit columns first', () => {
    const m = columnMapping('accounts', ['Account ID', 'Company', 'ARR', 'Renewal Date', 'CSM', 'Health Score', 'Owner'], { salesOwner: 'Owner' });
    expect(m).toEqual({ id: 'Account ID', name: 'Company', arr: 'ARR', contractEnd: 'Renewal Date', csOwner: 'CSM', 'health.score': 'Health Score', salesOwner: 'Owner' });
  });

  it('builds account.imported with typed values from text, and names the column of each problem', () => {
    const mapping = columnMapping('accounts', ['id', 'arr', 'contract_end', 'health_score', 'health_band']);
    const ok = buildEvent(
      { id: 'A-1', arr: '1200.50', contract_end: '2027-01-31', health_score: '71', health_band: 'green' },
      { kind: 'accounts', origin, mapping, now: '2026-12-01T00:00:00.000Z' },
      'file/book.csv:2',
    );
    expect(ok).toMatchObject({
      ok: true,
      event: { id: 'accounts:A-1', subject: 'A-1', type: 'account.imported', data: { arr: 1200.5, contractEnd: '2027-01-31', health: { score: 71, band: 'green' }, importedFrom: 'file/book.csv:2' } },
    });
    const bad = buildEvent({ id: '', arr: '1.200,50', contract_end: 'soon', health_score: 'x', health_band: 'green' }, { kind: 'accounts', origin, mapping, now: '2026-12-01T00:00:00.000Z' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.map((p) => p.field).sort()).toEqual(['arr', 'health_score', 'id']);
  });

  it('draws a bar with count, rate and time left only on a terminal; a pipe gets one closing line', () => {
    let t = 0;
    const tty: string[] = [];
    const bar = new Progress('importing book.csv', 100, { isTTY: true, write: (s) => (tty.push(s), true) }, () => t);
    t = 2000;
    bar.update(50);
    expect(tty.at(-1)).toBe('\r\x1b[2Kimporting book.csv [############------------] 50/100 25/s 2s left');
    const piped: string[] = [];
    const quiet = new Progress('importing book.csv', 100, { isTTY: false, write: (s) => (piped.push(s), true) }, () => t);
    quiet.update(50);
    quiet.finish('imported 100 accounts');
    expect(piped).toEqual(['imported 100 accounts\n']);
  });
});
