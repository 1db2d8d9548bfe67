import type { LedgerEvent } from '../../src/ledger/types.ts';

/** A ledger row the workflow queues and flushes in one activity per step, keyed for idempotency. */
export type LedgerEventDraft = LedgerEvent;
