import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkers } from '../../src/runtime/workerRevisions.ts';
import { eventually } from '../support/eventually.ts';
import { alwaysOpen, deliver, leadEvent, midMarketLead, waitForList, waitForState } from '../support/leads.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';

const repo = path.resolve(new URL('../..', import.meta.url).pathname);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-rules-reach-'));
// The worker decides with this copy; the test edits it in place as a deploy (git pull, config map) would.
const rulesDir = path.join(tmp, 'rules');

let h: TestHarness;
beforeAll(async () => {
  cpSync(path.join(repo, 'rules'), rulesDir, { recursive: true });
  h = await createHarness('dev', 'rules-reach', {
    adjust: (l) => {
      alwaysOpen(l);
      l.config.rules = { ...l.config.rules, dir: rulesDir };
    },
  });
});
afterAll(async () => {
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
});

type Row = { type: string; rules_revision: string | null; data: Record<string, unknown> };
const rowsOf = (leadId: string, done: (rs: Row[]) => boolean, what: string) =>
  eventually(
    () => h.ledger.query<Row>('SELECT type, rules_revision, data FROM ledger_events WHERE lead_id = $1 ORDER BY id', [leadId]),
    done,
    (last) => `ledger of ${leadId} never showed ${what}; rows: ${(last ?? []).map((r) => `${r.type}:${String(r.data.kind ?? '')}@${r.rules_revision}`).join(', ')}`,
  );
const decisions = (rs: Row[]) => rs.filter((r) => r.type === 'decision.recorded');
const ATTRACT = ['data-quality', 'disqualification', 'icp', 'qualification'];

describe('a rules change reaches a running lead at its next event (dev server)', () => {
  it('qualifies a lead waiting in nurture at its next update under the changed rule, stamped with the new revision', { timeout: 120_000 }, async () => {
    const id = `reach-${Date.now()}`;
    await deliver(h, leadEvent('lead.created', id, midMarketLead({ email: 'nora@reach.example', domain: 'reach.example', source: 'content-download' })));
    const nurtured = await waitForState(h, id, (s) => s.status === 'nurture', 'nurture');
    const oldRev = h.deps.rules.get().revision.id;
    expect(nurtured).toMatchObject({ stage: 'Attract', owner: null, rulesRevision: oldRev });
    const first = await rowsOf(id, (rs) => decisions(rs).length === ATTRACT.length, 'the four Attract decisions');
    expect(decisions(first).map((r) => [r.data.kind, r.rules_revision])).toEqual(ATTRACT.map((k) => [k, oldRev]));
    expect(decisions(first).find((r) => r.data.kind === 'qualification')?.data.matched).toEqual(['qual-nurture']);
    await waitForList(h, `WorkflowId="lead:${id}" AND RulesRevision="${oldRev}"`, 1);

    // Marketing decides content downloads by a company inside the profile go to sales too.
    const file = path.join(rulesDir, 'qualification.yaml');
    const before = readFileSync(file, 'utf8');
    const changed = before.replace('{ in: [{ var: lead.source }, [demo-request, contact-sales]] }', '{ in: [{ var: lead.source }, [demo-request, contact-sales, content-download]] }');
    expect(changed).not.toBe(before);
    writeFileSync(file, changed);
    // The worker's own cache takes the folder at its next recheck; the lead is told nothing.
    const newRev = await eventually(
      async () => h.deps.rules.health().revision?.id,
      (rev) => rev !== oldRev,
      'the worker taking the changed rules',
    );
    expect(h.deps.rules.health().status).toBe('ok');

    // Its next event: an update that qualifies nobody under the old rules (a new title).
    await deliver(h, leadEvent('lead.updated', id, { title: 'VP Analytics' }));
    const handed = await waitForState(h, id, (s) => s.stage === 'Engage' && s.sla?.status === 'running', 'handed to sales');
    expect(handed.rulesRevision).toBe(newRev);
    expect(handed.owner).not.toBeNull();
    expect(handed.decisions.filter((d) => d.kind === 'qualification').map((d) => [d.matched[0], d.revision])).toEqual([
      ['qual-nurture', oldRev],
      ['qual-hand-raiser', newRev],
    ]);

    const all = await rowsOf(id, (rs) => decisions(rs).some((r) => r.data.kind === 'sla') && rs.some((r) => r.type === 'lead.assigned'), 'routing, SLA and the assignment');
    const [earlier, later] = [decisions(all).slice(0, ATTRACT.length), decisions(all).slice(ATTRACT.length)];
    // The earlier rows keep the revision that decided them; every row from the update on carries the new one.
    expect(earlier).toEqual(decisions(first));
    expect(later.map((r) => [r.data.kind, r.rules_revision])).toEqual([...ATTRACT, 'routing', 'sla'].map((k) => [k, newRev]));
    expect(later.find((r) => r.data.kind === 'qualification')?.data.matched).toEqual(['qual-hand-raiser']);
    expect(new Set(later.slice(0, ATTRACT.length).map((r) => r.data.occasion)).size).toBe(1);
    expect(later[0]!.data.occasion).not.toBe(earlier[0]!.data.occasion);
    expect(all.find((r) => r.type === 'lead.assigned')?.rules_revision).toBe(newRev);

    // Operators find it by the new revision, and no longer by the old one.
    expect(await waitForList(h, `WorkflowId="lead:${id}" AND RulesRevision="${newRev}"`, 1)).toEqual([`lead:${id}`]);
    expect(await waitForList(h, `WorkflowId="lead:${id}" AND RulesRevision="${oldRev}"`, 0)).toEqual([]);
    // And the worker reports the revision it now decides with.
    const seen = await eventually(
      () => readWorkers(h.ledger),
      (r) => r?.rows.some((w) => w.taskQueue === h.taskQueue && w.rulesRevision === newRev) === true,
      'the heartbeat with the new revision',
    );
    expect(seen!.rows.filter((w) => w.taskQueue === h.taskQueue)).toHaveLength(1);
  });
});
