import type { ActivityDeps } from '../../../activities/deps.ts';
import type { FlywheelMetrics } from './flywheelMetrics.ts';
import { observeLedger } from './observeLedger.ts';
import { observeCrmWriteBack, observeWebhooks } from './observeOutbound.ts';

/** The activities' dependencies with their ledger writes and outbound notifications measured into `metrics`. */
export function observeActivityDeps(deps: ActivityDeps, metrics: FlywheelMetrics, onError?: (e: unknown) => void): ActivityDeps {
  return {
    ...deps,
    ledger: observeLedger(deps.ledger, metrics, onError),
    webhooks: observeWebhooks(deps.webhooks, metrics),
    ...(deps.crm ? { crm: deps.crm.map((c) => observeCrmWriteBack(c, metrics)) } : {}),
  };
}
