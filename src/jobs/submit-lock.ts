import type { Clock } from '../util/clock.ts';

/**
 * StarRocks' `seqlock`: one submission (or DROP REPOSITORY / DROP SNAPSHOT) at a time, cluster-wide, taken with a
 * bounded wait so a stuck submission turns into a clear error instead of a hang. Waiters are served in order; the
 * wait is measured on the injected clock so tests can time it out in simulated time.
 */
export class SubmitLock {
  #held = false;
  #waiters: (() => void)[] = [];
  #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get held(): boolean {
    return this.#held;
  }

  /** Take the lock within `timeoutMs`; resolves to the release function, or null on timeout. */
  tryLock(timeoutMs: number): Promise<(() => void) | null> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve) => {
      const timer = new AbortController();
      const waiter = (): void => {
        timer.abort();
        resolve(this.#releaser());
      };
      this.#waiters.push(waiter);
      this.#clock.sleep(timeoutMs, timer.signal).then(
        () => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve(null);
        },
        () => {},
      );
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the lock straight to the next waiter so no newcomer can overtake it.
      const next = this.#waiters.shift();
      if (next === undefined) this.#held = false;
      else next();
    };
  }
}
