/**
 * Runs `stop` once on the first SIGINT/SIGTERM; a second signal forces exit, so an operator is never stuck
 * behind a hung dependency. Returns a promise that settles when `stop` has finished.
 */
export function onShutdownSignal(stop: (signal: string) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`\n${signal} again: exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      stop(signal).then(resolve, reject);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
