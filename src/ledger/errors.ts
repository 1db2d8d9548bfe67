/** Base class, so callers (the CLI) can print ledger problems as plain messages instead of stack traces. */
export class LedgerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LedgerError';
  }
}

/** Another live process has the embedded PGlite directory open; opening it twice would corrupt it. */
export class LedgerLockedError extends LedgerError {
  constructor(
    message: string,
    readonly lockFile: string,
    readonly holderPid: number,
  ) {
    super(message);
    this.name = 'LedgerLockedError';
  }
}

/**
 * A batch was refused before anything was written. The name is stable so a Temporal retry policy can list
 * 'LedgerValidationError' as non-retryable: retrying bad input cannot succeed.
 */
export class LedgerValidationError extends LedgerError {
  constructor(readonly problems: string[]) {
    const head = problems.length === 1 ? 'invalid ledger event' : `${problems.length} invalid ledger events`;
    super(problems.length === 1 ? `${head}: ${problems[0]}` : `${head}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'LedgerValidationError';
  }
}

export class LedgerMigrationError extends LedgerError {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerMigrationError';
  }
}

/** Thrown (after rolling back) when a call leaves a transaction open: every ledger call must be atomic. */
export class LedgerOpenTransactionError extends LedgerError {
  constructor() {
    super('a statement left a transaction open, which a ledger call may not do; send BEGIN ... COMMIT in one call, or a single statement (it was rolled back)');
    this.name = 'LedgerOpenTransactionError';
  }
}

/** Calling the ledger itself inside `ledger.transaction()` would wait for that transaction: a deadlock. */
export class LedgerNestedCallError extends LedgerError {
  constructor() {
    super('inside ledger.transaction(), use its tx argument; the ledger itself would wait for the transaction to end');
    this.name = 'LedgerNestedCallError';
  }
}

/** A statement failed inside a transaction whose callback caught the error; PostgreSQL had already aborted it. */
export class LedgerTransactionAbortedError extends LedgerError {
  constructor(cause: unknown) {
    super(`the transaction was rolled back: one of its statements failed (${(cause as Error).message}), and an aborted transaction cannot commit`, { cause });
    this.name = 'LedgerTransactionAbortedError';
  }
}
