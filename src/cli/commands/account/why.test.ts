import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../../ledger/open.ts';
import type { OpenedLedger } from '../../../ledger/types.ts';
import { configFor, runCliInProcess } from '../../../../test/support/cli.ts';
import { recordAccountJourney, type Journey } from '../../../../test/support/decisionJourney.ts';
import { fullHandoff } from '../../../../test/support/accounts.ts';
import { pgliteTemplate, removeTempRoots, tempRoot } from '../../../../test/unit/ledger/helpers/fixtures.ts';

const T = 120_000;
const ACCOUNT = 'why-acc-1';

let ledger: OpenedLedger;
let config: string;
let journey: Journey;

beforeAll(async () => {
  await pgliteTemplate();
  const root = await tempRoot();
  ledger = await openLedger({ root, role: 'owner', databaseUrl: undefined });
  journey = await recordAccountJourney(ledger, ACCOUNT, 'why-acc-lead', fullHandoff());
  config = await configFor({ ledgerDir: path.join(root, '.flywheel', 'ledger') });
}, T);
afterAll(async () => {
  await ledger?.close();
  removeTempRoots();
});

const why = (args: string[]) => runCliInProcess(['account', 'why', ...args], config);

describe('flywheel account why', () => {
  it('names the CS owner after the kickoff breach, the kickoff deadline, and the hand-off check', async () => {
    const { code, stdout, stderr } = await why([ACCOUNT]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(journey.second).not.toBe(journey.first);
    expect(stdout).toMatch(new RegExp(`^Account ${ACCOUNT}: 5 decisions from 2027-02-01T09:00:00.000Z to 2027-02-04T09:00:00.000Z \\(from the ledger\\)\\n`));
    expect(stdout).toMatch(new RegExp(`  Owner        ${journey.second}  queue \\S+\\n +why: cs-routing rule \\S+ at revision \\S+, 2027-02-04T09:00:00.000Z \\(kickoff-breach\\)`));
    expect(stdout).toMatch(/ {2}Deadline {5}\S+ {2}target \S+ on calendar \S+ for \S+\n +why: sla rule sla-stc-\S+ at revision /);
    expect(stdout).toContain(`${journey.first} -> ${journey.second}  (kickoff-breach, excluded ${journey.first}; rule `);
    expect(stdout).toMatch(/handoff:opp-why-acc-1 {2}revision \S+\n {2}handoff {10}requires /);
    expect(stdout).toMatch(new RegExp(` {6}${journey.first} +\\S+ +excluded \\(breached this lead before\\)\\n`));
    expect(stdout).toContain('    result     required handoff.champion, handoff.goals, handoff.successCriteria, handoff.contractStart, handoff.contractEnd, account.arr\n');
  });

  it('exits 1 for an account without decisions', async () => {
    const { code, stderr } = await why(['nobody']);
    expect(code).toBe(1);
    expect(stderr).toBe('flywheel: no decisions recorded for account nobody in the ledger\n');
  });
});
