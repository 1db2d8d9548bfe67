/**
 * Asks `probe` until `done` holds, backing off from 20 ms to 250 ms. The system under test decides when this
 * returns; the bound only turns a hang into a readable failure. `probe` answers undefined for "not there yet".
 */
export async function eventually<T>(probe: () => Promise<T | undefined>, done: (v: T) => boolean, fail: string | ((last: T | undefined) => string), timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let pause = 20;
  for (;;) {
    last = await probe();
    if (last !== undefined && done(last)) return last;
    if (Date.now() > deadline) throw new Error(typeof fail === 'string' ? `never saw "${fail}"; last: ${JSON.stringify(last)}` : fail(last));
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(pause * 2, 250);
  }
}

/**
 * A workflow query that is not answerable yet: the workflow was not started, or a bounded query ran out (the
 * time-skipping server can drop a query that lands on a run continuing as new). Any other error is a failure.
 */
export async function queried<T>(query: () => Promise<T>): Promise<T | undefined> {
  try {
    return await query();
  } catch (e) {
    if (/not found|no such|WorkflowNotFound|deadline/i.test(`${String(e)} ${String((e as Error).cause)}`)) return undefined;
    throw e;
  }
}
