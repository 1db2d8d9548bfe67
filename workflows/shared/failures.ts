/**
 * How both record workflows meet failures of their side services and of bad input: notifications run beside the
 * record (an outage of the CRM delays only the notification), and a failure no retry can fix is put on record
 * instead of stalling the record. Deterministic: only workflow APIs.
 */
import { RetryState } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, log } from '@temporalio/workflow';
import type { RecordFailure } from '../lead/types.ts';

export interface FailureCause {
  activity: string;
  type: string;
  message: string;
}

/** An error message fit for a jsonb column and a log line: no NUL, no lone surrogate, bounded. */
export function printable(text: string): string {
  return text
    .replaceAll('\u0000', '\\0')
    .replace(/[\ud800-\udfff]/g, '?')
    .slice(0, 500);
}

/** What an activity failure says about its cause; null for anything that is not an activity failure. */
export function causeOf(err: unknown): FailureCause | null {
  if (!(err instanceof ActivityFailure)) return null;
  const c = err.cause;
  const type = c instanceof ApplicationFailure ? (c.type ?? 'Error') : (c?.name ?? 'Error');
  return { activity: err.activityType, type, message: printable(c?.message ?? err.message) };
}

/**
 * Local activities, as the lead workflow runs its ledger steps. A local activity that fails for good surfaces as
 * its own ApplicationFailure, where a remote one arrives wrapped in an ActivityFailure naming the activity: wrap
 * it the same way, so one failure path serves both and the record names the step that failed.
 */
export function namedLocal<A extends object>(acts: A): A {
  return new Proxy(acts, {
    get(target, name) {
      const fn = Reflect.get(target, name) as (...args: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]) => {
        try {
          return await fn(...args);
        } catch (e) {
          if (e instanceof ApplicationFailure)
            throw new ActivityFailure(e.message, String(name), undefined, e.nonRetryable ? RetryState.NON_RETRYABLE_FAILURE : RetryState.MAXIMUM_ATTEMPTS_REACHED, undefined, e);
          throw e;
        }
      };
    },
  });
}

/** A failure the activity marked final (bad data, bad rules, a request the CRM refused): retrying cannot help. */
export function finalCause(err: unknown): FailureCause | null {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable ? causeOf(err) : null;
}

/**
 * Side effects the record does not wait for. `run` starts one and returns at once; when it gives up (its bounded
 * retries are spent, or it failed for good) `onGiveUp` puts it on record. `settle` waits for all of them, before the
 * run continues as new or completes, so none is lost.
 */
export class Background {
  private readonly pending = new Set<Promise<void>>();
  constructor(private readonly onGiveUp: (what: string, cause: FailureCause) => void) {}

  run(what: string, effect: () => Promise<unknown>): void {
    const p: Promise<void> = effect().then(
      () => undefined,
      (err: unknown) => this.onGiveUp(what, causeOf(err) ?? { activity: what, type: 'Error', message: printable(String(err)) }),
    );
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

/** The slice of a record workflow that its failure handling writes to. */
export interface FailureSink {
  entity: 'lead' | 'account';
  workflowId: string;
  /** Whether this run sends notifications beside the record (versioned by the caller with patched()). */
  beside: boolean;
  /** Adds a ledger row to the record's next flush; returns nothing. */
  note(type: 'notification.failed' | 'lead.failed' | 'account.failed', data: Record<string, unknown>): void;
  /** Keeps the failure in the record's state (bounded by the caller). */
  remember(f: RecordFailure): void;
  now(): string;
}

/**
 * Notifications beside the record and the safe path for failures no retry can fix, written once for both record
 * workflows: `notify` starts (or, in runs recorded before this, awaits) a notification; `failed` puts a final
 * failure on record; `settle` waits for notifications still under way.
 */
export function recordFailures(sink: FailureSink) {
  const background = new Background((what, cause) => {
    sink.note('notification.failed', { notification: what, ...cause });
    log.error('notification gave up', { workflowId: sink.workflowId, notification: what, cause: cause.type, message: cause.message });
  });
  return {
    async notify(what: string, effect: () => Promise<unknown>): Promise<void> {
      if (sink.beside) background.run(what, effect);
      else await effect();
    },
    /** A failure no retry can fix is on record, with its cause; the record goes on with later events. */
    failed(cause: FailureCause, e?: { id: string; type: string }): void {
      const at = { eventId: e?.id ?? null, eventType: e?.type ?? null };
      sink.remember({ at: sink.now(), ...at, ...cause });
      sink.note(sink.entity === 'lead' ? 'lead.failed' : 'account.failed', { ...at, ...cause });
      log.error(`${sink.entity} step failed for good`, { workflowId: sink.workflowId, eventType: e?.type, activity: cause.activity, cause: cause.type, message: cause.message });
    },
    /** The final cause of an error when this run takes the safe path for it; null: rethrow it. */
    finalCause: (err: unknown): FailureCause | null => (sink.beside ? finalCause(err) : null),
    settle: () => background.settle(),
  };
}
