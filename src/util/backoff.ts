/**
 * Exponential backoff with jitter, shared by every retry loop (broker operations, backend task queues, job states).
 * Jitter spreads retries of many callers that failed together (one storage outage fails every in-flight transfer at
 * once), so they do not all come back in the same instant.
 */

export interface BackoffPolicy {
  /** Delay before the first retry, in ms; it doubles for each further retry. 0 retries at once. */
  readonly baseDelayMs: number;
  /** Upper bound of one delay, in ms. */
  readonly maxDelayMs: number;
}

/** A number in [0, 1), like Math.random (tests inject a seeded one). */
export type RandomSource = () => number;

/**
 * The wait before retry number `retry` (1 = the first retry): `min(max, base × 2^(retry-1))`, of which a random
 * half is taken off ("equal jitter": never less than half the nominal delay, so retries cannot bunch at zero).
 */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: RandomSource = Math.random): number {
  const nominal = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  if (nominal <= 0) return 0;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(nominal / 2 + (nominal / 2) * r);
}
