import { ApplicationFailure } from '@temporalio/common';

/**
 * Failures no retry can fix: the input or the rules are wrong, or the CRM refused the request itself. Activities
 * throw them as non-retryable ApplicationFailures whose type names the kind, so the workflow takes its safe path
 * at once instead of retrying for ever; everything else (a database or CRM outage) keeps retrying.
 */
export const NON_RETRYABLE_TYPES = ['InvalidData', 'RulesError', 'CrmRejected'] as const;
export type NonRetryableType = (typeof NON_RETRYABLE_TYPES)[number];

/** SQLSTATE classes that are about the data, not the server: 22 data exception, 23 integrity constraint violation. */
const DATA_SQLSTATE = /^2[23]/;

export function classify(e: unknown): NonRetryableType | null {
  if (e instanceof ApplicationFailure) return null;
  const err = e as { name?: string; code?: unknown; status?: unknown };
  if (err?.name === 'LedgerValidationError') return 'InvalidData';
  if (typeof err?.code === 'string' && DATA_SQLSTATE.test(err.code)) return 'InvalidData';
  if (err?.name === 'RuleEvaluationError' || err?.name === 'FactsError') return 'RulesError';
  if (err?.name === 'WebhookRejectedError') return 'CrmRejected';
  return null;
}

/** The same activity, with deterministic failures made non-retryable (the message and the cause are kept). */
export function failFast<F extends (...args: never[]) => Promise<unknown>>(fn: F): F {
  const wrapped = async (...args: Parameters<F>) => {
    try {
      return await fn(...args);
    } catch (e) {
      const type = classify(e);
      if (!type) throw e;
      throw ApplicationFailure.create({ type, message: (e as Error).message, nonRetryable: true, cause: e as Error });
    }
  };
  return wrapped as F;
}

/** Every activity of a set wrapped by failFast, keeping names (Temporal registers activities by property name). */
export function failFastAll<T extends Record<string, (...args: never[]) => Promise<unknown>>>(acts: T): T {
  const out = { ...acts };
  for (const k of Object.keys(acts) as (keyof T)[]) out[k] = failFast(acts[k]);
  return out;
}
