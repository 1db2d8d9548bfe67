import type { Command } from 'commander';
import type { ForgetEntity, ForgetReport } from '../../../ledger/forget.ts';
import type { HistoryReach } from '../../../temporal/historyRetention.ts';
import { humanDuration } from '../../leadSummary.ts';
import { printJson, printLines } from '../../output.ts';
import { CliError } from '../../errors.ts';
import { onLedger, usageExitsTwo } from '../../ledgerVerb.ts';

/** What the ledger erasure cannot reach, in the order an operator should go after it. */
export interface NotReached {
  temporal: HistoryReach | null;
  elsewhere: string[];
}

const ELSEWHERE = [
  'NDJSON exports already written (`flywheel decisions export`): delete them, or export again after this',
  'the CRM itself: Flywheel erased only its own copy; erase the record in the CRM too',
  'logs: Flywheel logs ids, never personal values, but check your log shipping and the Temporal server logs',
];

function temporalLines(t: HistoryReach | null): string[] {
  if (!t) return ['  Temporal histories: not asked (--no-temporal); each workflow below keeps its history until its retention expires'];
  if (t.error) return [`  Temporal histories: ${t.target} did not answer (${t.error}); each workflow keeps its history until its retention expires`];
  const retention = t.retentionMs === null ? 'retention unknown' : `retention ${humanDuration(t.retentionMs)}`;
  const lines = [`  Temporal histories in ${t.target} (${retention}): events and state of these workflows still hold the data`];
  for (const w of t.workflows) {
    const when =
      w.status === 'RUNNING'
        ? 'running: its next rows carry the data again; forget again after it closes'
        : w.status === 'NOT_FOUND'
          ? 'gone (deleted or past retention)'
          : `${w.status.toLowerCase()} ${w.closedAt}${w.keptUntil ? `, kept until ${w.keptUntil}` : ''}`;
    lines.push(`    ${w.workflowId}  ${when}`);
  }
  if (t.workflows.some((w) => w.status !== 'RUNNING' && w.status !== 'NOT_FOUND')) {
    lines.push(`    \`temporal workflow delete --namespace ${t.namespace} --workflow-id <id>\` removes a closed one now`);
  }
  return lines;
}

function render(r: ForgetReport, notReached: NotReached): string[] {
  const verb = r.dryRun ? 'Would erase' : 'Erased';
  const lines: string[] = [];
  if (r.rowsErased === 0) {
    const last = r.earlier.at(-1);
    lines.push(`Nothing ${r.dryRun ? 'would be' : 'was'} erased for ${r.entity} ${r.id}: ${r.rowsFound} ledger rows hold no personal data${last ? ` (forgotten on ${last.at})` : ''}`);
  } else {
    lines.push(`${verb} ${r.valuesErased} personal values in ${r.rowsErased} of ${r.rowsFound} ledger rows of ${r.entity} ${r.id} (replaced by "[erased]")`);
    lines.push(
      `  by type     ${Object.entries(r.byType)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ')}`,
    );
  }
  for (const o of r.otherRecords) lines.push(`  carried by  ${o.workflowId} (${o.rows} row${o.rows === 1 ? '' : 's'})`);
  if (r.recordedKey) lines.push(`  on record   record.forgotten ${r.recordedKey}`);
  lines.push('  kept        ids, times, outcomes, matched rules, revisions, rep ids, and the non-personal lead fields (src/ledger/personalData.ts)');
  for (const t of r.tables) if (t.table !== 'ledger_events') lines.push(`  ${t.table.padEnd(18)}${t.rows === null ? '' : `${t.rows} row${t.rows === 1 ? '' : 's'}: `}${t.holds}`);
  for (const t of r.uncheckedTables) lines.push(`  ${t.padEnd(18)}not Flywheel's: not looked at`);
  lines.push('Not reached by this command:', ...temporalLines(notReached.temporal), ...notReached.elsewhere.map((e) => `  ${e}`));
  return lines;
}

/** `flywheel ledger forget <lead|account> <id>`: the right to erasure, in the ledger. */
export function registerLedgerForget(ledger: Command): void {
  usageExitsTwo(
    ledger
      .command('forget')
      .description(
        'Erase the personal data of one lead or account from the ledger (e-mail, phone, names, free text: src/ledger/personalData.ts), ' +
          'keeping ids, times, outcomes and non-personal facts; one transaction, recorded as record.forgotten; then says what it could not reach ' +
          '(Temporal histories, exports, the CRM, logs). Exit 0 done (or nothing left to erase), 1 no ledger rows for that record, 2 bad usage or the ledger unreachable',
      )
      .argument('<entity>', 'lead or account')
      .argument('<id>', "the record's CRM id")
      .option('--dry-run', 'count what would be erased; change nothing')
      .option('--no-temporal', 'do not ask Temporal which workflow histories still hold the data')
      .option('--json', 'print the report as JSON'),
  ).action(async (entity: string, id: string, opts: { dryRun?: boolean; temporal: boolean; json?: boolean }) => {
    if (entity !== 'lead' && entity !== 'account') throw new CliError(`the first argument must be lead or account, got "${entity}"`, 2);
    const { forgetRecord } = await import('../../../ledger/forget.ts');
    const report = await onLedger((l) => forgetRecord(l, entity as ForgetEntity, id, { dryRun: opts.dryRun }));
    if (report.rowsFound === 0) throw new CliError(`no ledger rows for ${entity} ${id}`, 1);
    let temporal: HistoryReach | null = null;
    if (opts.temporal) {
      const { targetFromEnvironment } = await import('../../../temporal/connection.ts');
      const { historyReach } = await import('../../../temporal/historyRetention.ts');
      temporal = await historyReach(targetFromEnvironment(), report.workflowIds);
    }
    const notReached: NotReached = { temporal, elsewhere: ELSEWHERE };
    if (opts.json) printJson({ ...report, notReached });
    else printLines(render(report, notReached));
  });
}
