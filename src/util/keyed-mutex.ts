/**
 * Mutual exclusion per key: `run(key, fn)` waits for every earlier `run` with the same key to settle, then runs
 * `fn`. Keys are independent. Entries are dropped when their queue empties, so the map never grows unbounded.
 */
export class KeyedMutex<K> {
  readonly #tails = new Map<K, Promise<void>>();

  async run<T>(key: K, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Whether `key` has a holder or waiters now. */
  isLocked(key: K): boolean {
    return this.#tails.has(key);
  }
}
