/**
 * SHUTDOWN (and the protocol's COM_SHUTDOWN, which the server runs as that statement): the engine does not stop
 * itself, the server that owns it does. A server registers here when it starts; the statement asks it to stop
 * gracefully (stop accepting, let running statements finish, close the engine) and returns at once, so the client's
 * OK is sent before the connection closes.
 */
import { SqlError } from '../errors/index.ts';

export class ShutdownRequests {
  readonly #listeners = new Set<(who: string) => void>();

  /** Run `listener` when a SHUTDOWN is requested; returns the unsubscribe function. */
  listen(listener: (who: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Ask every listening server to stop. Throws 1235 when nothing serves this engine (library, shell). */
  request(who: string): void {
    if (this.#listeners.size === 0) {
      throw new SqlError(1235, '42000', 'SHUTDOWN stops a server, and this engine is not serving (it was opened by a program or the shell): close it from there');
    }
    // After the current statement's reply: the listener starts a graceful close that waits for running statements.
    for (const listener of [...this.#listeners]) setImmediate(() => listener(who));
  }
}
