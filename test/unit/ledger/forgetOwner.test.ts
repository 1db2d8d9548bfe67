import { describe, expect, it } from 'vitest';
import { forgetRecord } from '../../../src/ledger/forget.ts';
import { emptyLedgerPerTest } from './helpers/emptyLedger.ts';

// `flywheel ledger forget` run with no `flywheel dev` around opens the embedded ledger itself (the owner's statements
// are prepared, not inlined as over the socket): every table's count must bind its parameters there too.
const ledger = emptyLedgerPerTest(['ledger_events', 'ingest_receipts', 'lead_assignments']);

describe('forgetting a lead in the process that owns the embedded ledger', () => {
  it('counts its rows in every table and erases its personal data', async () => {
    await ledger.record([
      {
        key: 'fo-1',
        type: 'decision.recorded',
        occurredAt: '2026-12-07T10:00:00Z',
        leadId: 'fo-lead',
        workflowId: 'lead:fo-lead',
        data: { kind: 'icp', facts: { lead: { email: 'jana@example.com', company: 'Shop GmbH' } } },
      },
    ]);
    await ledger.query(`INSERT INTO ingest_receipts (event_key, workflow_id) VALUES ('r-1', 'lead:fo-lead')`);
    const dry = await forgetRecord(ledger, 'lead', 'fo-lead', { dryRun: true });
    expect(dry.tables.find((t) => t.table === 'ingest_receipts')?.rows).toBe(1);
    expect(dry.uncheckedTables).toEqual([]);
    const done = await forgetRecord(ledger, 'lead', 'fo-lead');
    expect(done.rowsErased).toBe(1);
    expect(JSON.stringify(await ledger.query(`SELECT data FROM ledger_events WHERE lead_id = 'fo-lead'`))).not.toContain('jana@example.com');
  });
});
