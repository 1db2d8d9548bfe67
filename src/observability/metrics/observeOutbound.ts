import type { CrmWriteBack } from '../../connectors/writeBack.ts';
import { WebhookRejectedError, type WebhookSender } from '../../webhooks/sender.ts';
import { notificationTypeLabel, type FlywheelMetrics } from './flywheelMetrics.ts';

/**
 * The outbound senders with each attempt counted and the ones under way gauged. A `failed` attempt is retried by
 * its activity; when the retries run out the workflow writes `notification.failed` to the ledger, counted in
 * flywheel_ledger_rows_total{type="notification.failed"}.
 */
export function observeWebhooks(sender: WebhookSender, metrics: FlywheelMetrics): WebhookSender {
  // The sender itself keeps its url and secret; the observed one only wraps send().
  const observed = Object.create(sender) as WebhookSender;
  observed.send = (type, payload, key) =>
    attempt(
      metrics,
      'webhook',
      notificationTypeLabel(type),
      () => sender.send(type, payload, key),
      (r) => (r.skipped ? 'skipped' : 'sent'),
    );
  return observed;
}

export function observeCrmWriteBack(crm: CrmWriteBack, metrics: FlywheelMetrics): CrmWriteBack {
  return {
    system: crm.system,
    assigned: (w) =>
      attempt(
        metrics,
        crm.system,
        'lead.assigned',
        () => crm.assigned(w),
        () => 'sent',
      ),
  };
}

async function attempt<T>(metrics: FlywheelMetrics, channel: string, type: string, fn: () => Promise<T>, outcomeOf: (r: T) => 'sent' | 'skipped'): Promise<T> {
  metrics.notificationsInFlight.inc({ channel });
  try {
    const r = await fn();
    metrics.notifications.inc({ channel, type, outcome: outcomeOf(r) });
    return r;
  } catch (e) {
    metrics.notifications.inc({ channel, type, outcome: isFinal(e) ? 'rejected' : 'failed' });
    throw e;
  } finally {
    metrics.notificationsInFlight.dec({ channel });
  }
}

/** A CRM's 4xx other than 408 and 429 is final (the activity does not retry it); anything else is retried. */
function isFinal(e: unknown): boolean {
  if (e instanceof WebhookRejectedError) return true;
  const status = (e as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429;
}
