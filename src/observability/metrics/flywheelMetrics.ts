import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isKnownEventType } from '../../events/catalog.ts';
import { LEDGER_EVENT_TYPES } from '../../ledger/types.ts';
import { sdkMetricsText } from './sdkMetrics.ts';

/** Label values are bounded: anything outside a known set reads as this, so a caller cannot grow the series. */
export const OTHER = 'other';

/** A CRM event type as a label: the catalog's types, else `other`. */
export const eventTypeLabel = (type: unknown): string => (isKnownEventType(type) ? type : OTHER);
const LEDGER_TYPES: ReadonlySet<string> = new Set(LEDGER_EVENT_TYPES);
/** An outbound notification type (`lead.assigned`, `account.renewal_reminder`...): lowercase dotted words, else `other`. */
export const notificationTypeLabel = (type: string): string => (/^[a-z]+\.[a-z_]{1,40}$/.test(type) ? type : OTHER);
/** An HTTP status as a label: its number when it is one, else `other`. */
export const statusLabel = (status: number): string => (Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : OTHER);

/**
 * One process's Prometheus metrics, in a registry of its own (never prom-client's global one, so tests and a
 * process running several parts can build several). The API, the ledger wrapper, the outbound senders and the
 * collectors write to the fields here; `text()` is what GET /metrics answers, with the Temporal SDK's own metrics
 * appended when this process's Runtime exports them.
 */
export class FlywheelMetrics {
  readonly registry = new Registry();

  readonly events = new Counter({
    name: 'flywheel_events_total',
    help: 'CRM events received on an ingest route, by event type, outcome (accepted by Temporal or rejected) and HTTP status answered',
    labelNames: ['route', 'type', 'outcome', 'status'] as const,
    registers: [this.registry],
  });

  readonly speedToLead = new Histogram({
    name: 'flywheel_speed_to_lead_seconds',
    help: "Seconds from the ingest API's first receipt of a lead's events to its first assignment (lead.assigned committed)",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600],
    registers: [this.registry],
  });

  readonly ledgerWrite = new Histogram({
    name: 'flywheel_ledger_write_seconds',
    help: 'Duration of ledger writes: record() of rows, and whole transactions (commit included)',
    labelNames: ['op', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly ledgerRows = new Counter({
    name: 'flywheel_ledger_rows_total',
    help: 'Ledger rows written (committed), by row type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly notificationsInFlight = new Gauge({
    name: 'flywheel_notifications_in_flight',
    help: 'Outbound notifications (CRM webhooks, CRM write-backs) being sent right now: the backlog this process holds',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });

  readonly notifications = new Counter({
    name: 'flywheel_notifications_total',
    help: 'Outbound notification attempts by channel, type and outcome (sent, skipped, failed: will be retried, rejected: refused for good)',
    labelNames: ['channel', 'type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly scrapeErrors = new Counter({
    name: 'flywheel_metrics_scrape_errors_total',
    help: 'Figures a scrape could not read (sla: Temporal visibility, sdk: the SDK exporter, rules: the rules folder)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    // Node's own figures (heap, event loop lag, CPU): cheap, and the first place to look when a worker is slow.
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    // Series alerts watch exist from the start at 0, so a rate() over them works before the first one happens.
    for (const type of ['lead.assigned', 'sla.breached', 'notification.failed']) this.ledgerRows.inc({ type }, 0);
  }

  private readonly beforeScrape: (() => Promise<unknown>)[] = [];

  /**
   * Runs `read` before each scrape's collection, so that what it counts (e.g. a failed read into scrapeErrors) is
   * in the same scrape: the registry serialises the counters before it calls later metrics' collect().
   */
  onScrape(read: () => Promise<unknown>): void {
    this.beforeScrape.push(read);
  }

  /** Prometheus text exposition: Flywheel's metrics, then the Temporal SDK's (when this process exports them). */
  async text(): Promise<string> {
    await Promise.all(this.beforeScrape.map((read) => read()));
    const own = await this.registry.metrics();
    const sdk = await sdkMetricsText().catch(() => {
      this.scrapeErrors.inc({ source: 'sdk' });
      return '';
    });
    return sdk ? `${own}\n${sdk}` : own;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** A ledger row type as a label (the ledger's own list, else `other`). */
  static ledgerTypeLabel(type: string): string {
    return LEDGER_TYPES.has(type) ? type : OTHER;
  }
}
