import type { Ledger } from '../ledger/types.ts';
import type { RulesCache } from '../rules/cache.ts';
import type { ShadowRules } from '../rules/shadow.ts';

/** What one worker decides with, as its heartbeat row says (table worker_rules). */
export interface WorkerRulesReport {
  rulesRevision: string | null;
  rulesStatus: 'ok' | 'degraded';
  shadowSource: string | null;
  shadowRevision: string | null;
  shadowError: string | null;
}

export interface HeartbeatOptions {
  ledger: Pick<Ledger, 'query'>;
  rules: Pick<RulesCache, 'health'>;
  shadow?: Pick<ShadowRules, 'status'> | undefined;
  identity: string;
  taskQueue: string;
  /** A row at least this often, so readers tell a live worker from a gone one (default 15 s; live = seen in 2 min). */
  intervalMs?: number;
  /** How often the rules are looked at, so a changed revision is reported within this, not at the next beat (default 1 s). */
  checkMs?: number;
  warn?: (message: string) => void;
}

// A shadow error carries every diagnostic; the row keeps enough to say what is wrong.
const MAX_ERROR = 2_000;

const UPSERT = `
INSERT INTO worker_rules (identity, task_queue, rules_revision, rules_status, shadow_source, shadow_revision, shadow_error, started_at, seen_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
ON CONFLICT (identity, task_queue) DO UPDATE SET
  rules_revision = EXCLUDED.rules_revision, rules_status = EXCLUDED.rules_status, shadow_source = EXCLUDED.shadow_source,
  shadow_revision = EXCLUDED.shadow_revision, shadow_error = EXCLUDED.shadow_error, started_at = EXCLUDED.started_at, seen_at = now()`;

// Rows of workers that died without removing theirs: long out of the live window, kept a day for a look back.
const PRUNE = `DELETE FROM worker_rules WHERE seen_at < now() - interval '1 day'`;

/** The worker's rules as it would decide now; never throws (a shadow that fails is reported, not raised). */
function rulesReport(rules: Pick<RulesCache, 'health'>, shadow?: Pick<ShadowRules, 'status'>): WorkerRulesReport {
  const h = rules.health();
  let s: { source: string; revision: string | null; error: string | null } | null = null;
  if (shadow) {
    try {
      s = shadow.status();
    } catch (e) {
      s = { source: '?', revision: null, error: (e as Error).message };
    }
  }
  return {
    rulesRevision: h.revision?.id ?? null,
    rulesStatus: h.status,
    shadowSource: s?.source ?? null,
    shadowRevision: s?.revision ?? null,
    shadowError: s?.error ? s.error.slice(0, MAX_ERROR) : null,
  };
}

/**
 * Writes the worker's rules revision to the ledger every `intervalMs` and as soon as it changes, so a rollout with
 * mixed revisions shows. It only reports: a ledger that cannot be written is warned about once per outage and
 * never stops the worker. `stop()` clears its timer and removes the row (a stopped worker is no longer live).
 */
export class WorkerHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private written: string | undefined;
  private writtenAt = -Infinity;
  private failing = false;
  private stopped = false;
  private busy = false;
  private readonly startedAt = new Date();

  constructor(private readonly opts: HeartbeatOptions) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.inFlight = this.opts.ledger.query(PRUNE).then(
      () => undefined,
      () => undefined,
    );
    this.tick();
    this.timer = setInterval(() => this.tick(), this.opts.checkMs ?? 1_000);
    // Reporting alone never keeps a process alive.
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
    await this.opts.ledger
      .query('DELETE FROM worker_rules WHERE identity = $1 AND task_queue = $2 AND started_at = $3', [this.opts.identity, this.opts.taskQueue, this.startedAt])
      .catch(() => undefined);
  }

  private tick(): void {
    // One write at a time; a tick that finds one still going looks again at the next tick.
    if (this.stopped || this.busy) return;
    const report = rulesReport(this.opts.rules, this.opts.shadow);
    const key = JSON.stringify(report);
    if (key === this.written && Date.now() - this.writtenAt < (this.opts.intervalMs ?? 15_000)) return;
    this.busy = true;
    this.inFlight = (this.inFlight ?? Promise.resolve()).then(() => this.write(report, key)).finally(() => (this.busy = false));
  }

  private async write(r: WorkerRulesReport, key: string): Promise<void> {
    const { identity, taskQueue } = this.opts;
    try {
      await this.opts.ledger.query(UPSERT, [identity, taskQueue, r.rulesRevision, r.rulesStatus, r.shadowSource, r.shadowRevision, r.shadowError, this.startedAt]);
      this.written = key;
      this.writtenAt = Date.now();
      this.failing = false;
    } catch (e) {
      if (!this.failing)
        (this.opts.warn ?? stderrWarn)(`worker heartbeat: cannot write this worker's rules revision to the ledger (${(e as Error).message}); /healthz and doctor will not list it until it can`);
      this.failing = true;
    }
  }
}

const stderrWarn = (m: string) => process.stderr.write(`warning: ${m}\n`);
