import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import type { GrowthPlan } from '../../src/plan/types.ts';
import { planningStateQuery, planningWorkflowId } from '../../workflows/definitions.ts';
import type { PlanningState } from '../../workflows/planning/types.ts';
import { eventually, queried } from '../support/eventually.ts';
import type { TestHarness } from '../support/temporal.ts';

const ymd = (y: number, m: number) => new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);

/**
 * The shipped plan with three monthly periods around `now` (last month, this month, next month), so cycles on any
 * server clock review a running period. Returns the plan file and the id of the current period.
 */
export function writeTestPlan(dir: string, now: number, edit: (p: GrowthPlan) => void = () => {}): { file: string; current: string; plan: GrowthPlan } {
  const plan = parse(readFileSync(fileURLToPath(new URL('../../config/plan.yaml', import.meta.url)), 'utf8')) as GrowthPlan;
  const d = new Date(now);
  const [y, m] = [d.getUTCFullYear(), d.getUTCMonth()];
  plan.startingArr = 100_000;
  plan.periods = [-1, 0, 1].map((k, i) => ({ id: ymd(y, m + k).slice(0, 7), from: ymd(y, m + k), to: ymd(y, m + k + 1), arrTarget: 120_000 + i * 20_000 }));
  edit(plan);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'plan.yaml');
  writeFileSync(file, stringify(plan));
  return { file, current: plan.periods[1]!.id, plan };
}

/** The cycle's `state` query, bounded (the workflow never continues as new, but a hung query must not hang the test). */
export function planningState(h: TestHarness, cycle: string, timeoutMs = 5_000): Promise<PlanningState> {
  return h.client.withDeadline(Date.now() + timeoutMs, () => h.client.workflow.getHandle(planningWorkflowId(cycle)).query(planningStateQuery));
}

export function waitForPlanning(h: TestHarness, cycle: string, done: (s: PlanningState) => boolean, what: string, timeoutMs = 60_000): Promise<PlanningState> {
  const brief = (last: PlanningState | undefined) => last && { step: last.step, status: last.status, decision: last.decision };
  return eventually(
    () => queried(() => planningState(h, cycle)),
    done,
    (last) => `planning cycle ${cycle} never reached "${what}"; last state: ${JSON.stringify(brief(last))}`,
    timeoutMs,
  );
}

export type PlanRow = { key: string; type: string; occurred_at: Date; owner: string | null; workflow_id: string; data: Record<string, unknown> };

/** Polls the ledger rows a cycle wrote until `done` holds. */
export function waitForPlanRows(h: TestHarness, cycle: string, done: (rows: PlanRow[]) => boolean, what: string, timeoutMs = 15_000): Promise<PlanRow[]> {
  const rows = () => h.ledger.query<PlanRow>(`SELECT event_key AS key, type, occurred_at, owner, workflow_id, data FROM ledger_events WHERE workflow_id = $1 ORDER BY id`, [planningWorkflowId(cycle)]);
  return eventually(rows, done, (last) => `ledger rows of planning:${cycle} never showed "${what}"; types: ${(last ?? []).map((r) => r.type).join(', ')}`, timeoutMs);
}

/** A stand-in CRM webhook endpoint that keeps every delivery. */
export async function webhookSink(): Promise<{ url: string; received: { type: string; recipients?: { id: string }[]; [k: string]: unknown }[]; close(): Promise<void> }> {
  const received: { type: string; [k: string]: unknown }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as { type: string });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hooks`, received, close: () => new Promise((r) => server.close(() => r())) };
}
