import net from 'node:net';

/**
 * A socket for node-postgres (its `stream` option) that hands over each server message in its own event-loop turn,
 * as a slow network can. It makes "the error has arrived, the ReadyForQuery after it not yet" happen every time.
 * Only for connections without TLS, where every server message is a type byte and a length.
 */
export class OneMessagePerTurnSocket extends net.Socket {
  #pending = Buffer.alloc(0);
  #delivering: Promise<void> = Promise.resolve();

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'data') return super.emit(event, ...args);
    this.#pending = Buffer.concat([this.#pending, args[0] as Buffer]);
    // The length counts itself but not the type byte.
    while (this.#pending.length >= 5 && this.#pending.length >= 1 + this.#pending.readInt32BE(1)) {
      const message = this.#pending.subarray(0, 1 + this.#pending.readInt32BE(1));
      this.#pending = this.#pending.subarray(message.length);
      this.#delivering = this.#delivering.then(
        () =>
          new Promise<void>((resolve) =>
            setImmediate(() => {
              super.emit('data', message);
              resolve();
            }),
          ),
      );
    }
    return true;
  }
}
