import { BrokerError } from './broker.ts';

/**
 * Deadlines and retries of every broker operation, and the repository properties that set them. They apply to
 * every storage kind, so the keys are tablevault's own (StarRocks has no equivalent): a CREATE REPOSITORY that uses
 * them is not portable to StarRocks, which rejects unknown properties of its own brokers anyway.
 */
export interface BrokerPolicy {
  /**
   * Deadline of one request-sized operation (a listing page, stat, delete, rename, a conditional create): a storage
   * that gives no answer within it is abandoned and the call fails as UNREACHABLE (retryable).
   */
  readonly requestTimeoutMs: number;
  /**
   * A transfer (read, write, upload, download, bulk delete) that makes no progress for this long is abandoned. A
   * transfer that reports no progress until it ends (one PUT, a kernel copy) also gets `size / 1 MiB/s` on top.
   */
  readonly stallTimeoutMs: number;
  /** Attempts per operation, the first included, for failures that may go away (network, timeouts, 5xx). */
  readonly maxAttempts: number;
  /** Delay before the first retry; it doubles per retry, with jitter (see util/backoff.ts). */
  readonly retryBaseMs: number;
  /** Upper bound of one retry delay. */
  readonly retryMaxMs: number;
}

export const DEFAULT_BROKER_POLICY: BrokerPolicy = {
  requestTimeoutMs: 20_000,
  stallTimeoutMs: 60_000,
  maxAttempts: 3,
  retryBaseMs: 500,
  retryMaxMs: 10_000,
};

/** The slowest rate a transfer without progress reports is allowed (bytes per ms: 1 MiB/s). */
export const MIN_TRANSFER_BYTES_PER_MS = (1024 * 1024) / 1000;

/** Property key → policy field, with the bounds a value must respect. */
const POLICY_PROPERTIES: readonly { key: string; field: keyof BrokerPolicy; min: number; max: number }[] = [
  { key: 'tablevault.request_timeout_ms', field: 'requestTimeoutMs', min: 1, max: 3_600_000 },
  { key: 'tablevault.stall_timeout_ms', field: 'stallTimeoutMs', min: 1, max: 3_600_000 },
  { key: 'tablevault.max_attempts', field: 'maxAttempts', min: 1, max: 20 },
  { key: 'tablevault.retry_base_ms', field: 'retryBaseMs', min: 0, max: 600_000 },
  { key: 'tablevault.retry_max_ms', field: 'retryMaxMs', min: 0, max: 3_600_000 },
];

/** The property keys of BrokerPolicy, accepted with every storage kind. */
export const POLICY_PROPERTY_KEYS: readonly string[] = POLICY_PROPERTIES.map((p) => p.key);

/**
 * The policy a repository's properties ask for, over `defaults`. A value that is not a whole number within its
 * bounds fails with BrokerError('INVALID_ARGUMENT') naming the key, the value and the range (none of these keys is a
 * secret, so the value may be shown).
 */
export function parseBrokerPolicy(properties: Readonly<Record<string, string>>, defaults: BrokerPolicy = DEFAULT_BROKER_POLICY): BrokerPolicy {
  const policy: Record<keyof BrokerPolicy, number> = { ...defaults };
  for (const { key, field, min, max } of POLICY_PROPERTIES) {
    const text = properties[key];
    if (text === undefined) continue;
    const value = Number(text.trim());
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new BrokerError('INVALID_ARGUMENT', `Invalid value "${text}" for repository property "${key}": use a whole number from ${min} to ${max}.`, {
        retryable: false,
      });
    }
    policy[field] = value;
  }
  return policy;
}
