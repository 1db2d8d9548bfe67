/**
 * Search attributes a record workflow publishes, upserted only when a value changed: every upsert is a history
 * event, and most steps change none of them. Deterministic: the last values live in the run's own closure.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';

export function publisher(): (pairs: SearchAttributeUpdatePair[]) => void {
  let last: string | undefined;
  return (pairs) => {
    const now = JSON.stringify(pairs.map((p) => [p.key.name, p.value]));
    if (now === last) return;
    last = now;
    upsertSearchAttributes(pairs);
  };
}
