import type { Command } from 'commander';
import { LEDGER_EVENT_TYPES } from '../../ledger/types.ts';
import { printJson } from '../output.ts';
import { CliError } from '../errors.ts';
import { registerLedgerForget } from './ledger/forget.ts';
import { withLedger } from '../ledgerVerb.ts';

interface EventRow {
  id: number;
  event_key: string;
  type: string;
  occurred_at: Date;
  recorded_at: Date;
  lead_id: string | null;
  account_id: string | null;
  workflow_id: string | null;
  owner: string | null;
  team: string | null;
  stage: string | null;
  amount: number | null;
  arr_delta: number | null;
  currency: string | null;
  rules_revision: string | null;
  data: Record<string, unknown>;
}

export function registerLedgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('The ledger of flywheel events that metrics read (embedded PGlite under .flywheel/, or PostgreSQL via DATABASE_URL)');

  ledger
    .command('status')
    .description('Show where the ledger is, its migrations, and how many events of each type it holds')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const report = await withLedger({ create: false }, async (l) => {
        const status = await l.migrationStatus();
        const counts = await l.query<{ type: string; n: number }>('SELECT type, count(*) AS n FROM ledger_events GROUP BY type ORDER BY type');
        return {
          mode: l.mode,
          description: l.description,
          migrations: {
            applied: status.applied.map((m) => ({ version: m.version, name: m.name, appliedAt: m.appliedAt.toISOString() })),
            pending: status.pending.map((m) => ({ version: m.version, name: m.name })),
            unknown: status.unknown.map((m) => ({ version: m.version, name: m.name })),
          },
          events: { total: counts.reduce((s, c) => s + c.n, 0), byType: Object.fromEntries(counts.map((c) => [c.type, c.n])) },
        };
      });
      if (!report.opened) return printMissing(report.message, opts.json);
      const r = report.value;
      if (opts.json) return printJson(r);
      const m = r.migrations;
      const lines = [`Ledger      ${r.description}`, `Migrations  ${m.applied.length} applied, ${m.pending.length} pending${m.unknown.length ? `, ${m.unknown.length} from a newer Flywheel` : ''}`];
      for (const a of m.applied) lines.push(`  ${pad4(a.version)} ${a.name.padEnd(28)} applied ${a.appliedAt}`);
      for (const p of m.pending) lines.push(`  ${pad4(p.version)} ${p.name.padEnd(28)} pending`);
      for (const u of m.unknown) lines.push(`  ${pad4(u.version)} ${u.name.padEnd(28)} applied by a newer Flywheel`);
      lines.push(`Events      ${r.events.total}`);
      for (const [type, n] of Object.entries(r.events.byType)) lines.push(`  ${type.padEnd(20)} ${n}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  ledger
    .command('migrate')
    .description('Apply pending migrations (the embedded owner and every PostgreSQL connection also apply them when they open the ledger)')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const report = await withLedger({ create: true }, async (l) => {
        const status = await l.migrationStatus();
        return { mode: l.mode, description: l.description, applied: l.migrationsApplied.map((m) => m.file), current: status.applied.length, pending: status.pending.map((m) => m.file) };
      });
      if (!report.opened) throw new CliError(report.message);
      const r = report.value;
      // An embedded client cannot migrate: its owner holds the only session, and applies migrations when it opens.
      if (r.pending.length > 0) process.exitCode = 1;
      if (opts.json) return printJson(r);
      const lines = [`Ledger      ${r.description}`];
      if (r.applied.length > 0) lines.push(`Applied     ${r.applied.join(', ')}`);
      if (r.pending.length > 0) lines.push(`Pending     ${r.pending.join(', ')}: restart the process that owns the ledger to apply them`);
      else lines.push(`Up to date  ${r.current} migration${r.current === 1 ? '' : 's'} applied`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  ledger
    .command('events')
    .description('List events, newest first')
    .option('--type <type>', 'only this event type')
    .option('--lead <id>', 'only this lead')
    .option('--limit <n>', 'at most this many (1-10000)', '50')
    .option('--json', 'print as JSON')
    .action(async (opts: { type?: string; lead?: string; limit: string; json?: boolean }) => {
      if (opts.type !== undefined && !(LEDGER_EVENT_TYPES as readonly string[]).includes(opts.type)) {
        throw new CliError(`unknown event type "${opts.type}"; known types: ${LEDGER_EVENT_TYPES.join(', ')}`, 2);
      }
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new CliError(`--limit must be a whole number from 1 to 10000, got "${opts.limit}"`, 2);
      const report = await withLedger({ create: false }, (l) =>
        l.query<EventRow>(
          `SELECT id, event_key, type, occurred_at, recorded_at, lead_id, account_id, workflow_id, owner, team, stage,
                  amount, arr_delta, currency, rules_revision, data
           FROM ledger_events
           WHERE ($1::text IS NULL OR type = $1) AND ($2::text IS NULL OR lead_id = $2)
           ORDER BY occurred_at DESC, id DESC
           LIMIT $3`,
          [opts.type ?? null, opts.lead ?? null, limit],
        ),
      );
      const rows = report.opened ? report.value.map(toEvent) : [];
      if (opts.json) return printJson(rows);
      if (!report.opened) return printMissing(report.message, false);
      for (const e of rows) process.stdout.write(`${formatEvent(e)}\n`);
      if (rows.length === 0) process.stdout.write('no events\n');
    });
  registerLedgerForget(ledger);
}

function printMissing(message: string, json: boolean | undefined): void {
  if (json) printJson({ mode: 'embedded', exists: false, message });
  else process.stdout.write(`${message}\n`);
}

function toEvent(r: EventRow) {
  const e: Record<string, unknown> = { id: r.id, key: r.event_key, type: r.type, occurredAt: r.occurred_at.toISOString(), recordedAt: r.recorded_at.toISOString() };
  const optional = {
    leadId: r.lead_id,
    accountId: r.account_id,
    workflowId: r.workflow_id,
    owner: r.owner,
    team: r.team,
    stage: r.stage,
    amount: r.amount,
    arrDelta: r.arr_delta,
    currency: r.currency,
    rulesRevision: r.rules_revision,
  };
  for (const [k, v] of Object.entries(optional)) if (v !== null) e[k] = v;
  if (Object.keys(r.data).length > 0) e.data = r.data;
  return e;
}

function formatEvent(e: Record<string, unknown>): string {
  const labels: [string, string][] = [
    ['leadId', 'lead'],
    ['accountId', 'account'],
    ['owner', 'owner'],
    ['team', 'team'],
    ['stage', 'stage'],
    ['amount', 'amount'],
    ['arrDelta', 'arr'],
    ['currency', 'currency'],
  ];
  const parts = labels.filter(([k]) => e[k] !== undefined).map(([k, label]) => `${label}=${String(e[k])}`);
  return [String(e.occurredAt), String(e.type).padEnd(18), ...parts, `key=${String(e.key)}`].join('  ');
}

function pad4(n: number): string {
  return String(n).padStart(4, '0');
}
