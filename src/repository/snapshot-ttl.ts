/**
 * Snapshot time-to-live: BACKUP's `"ttl" = "7 DAY"` (StarRocks v4.2) and a repository's `default_snapshot_ttl`.
 * A TTL is a whole number of HOUR, DAY, WEEK or MONTH (singular or plural, any case); MONTH is a calendar month of
 * local time (Jan 31 + 1 MONTH = the last day of February), the rest fixed lengths. A snapshot expires TTL after it
 * was finished; the expiry task (src/jobs/snapshot-expiry.ts) drops it then.
 */

export type TtlUnit = 'HOUR' | 'DAY' | 'WEEK' | 'MONTH';

export interface SnapshotTtl {
  readonly amount: number;
  readonly unit: TtlUnit;
  /** As the user wrote it, normalised: `7 DAY`. */
  readonly text: string;
}

const HOUR_MS = 3_600_000;
const FIXED: Readonly<Record<Exclude<TtlUnit, 'MONTH'>, number>> = { HOUR: HOUR_MS, DAY: 24 * HOUR_MS, WEEK: 7 * 24 * HOUR_MS };

/** Parse a TTL; null with a message when malformed (callers wrap it in their own error). */
export function parseTtl(text: string): SnapshotTtl | { readonly error: string } {
  const m = /^\s*(\d{1,6})\s*(HOUR|DAY|WEEK|MONTH)S?\s*$/i.exec(text);
  if (m === null) return { error: `Invalid ttl: '${text}'. Write a whole number and HOUR, DAY, WEEK or MONTH, e.g. "7 DAY"` };
  const amount = Number(m[1]);
  if (amount <= 0) return { error: `Invalid ttl: '${text}'. It must be at least 1 ${String(m[2]).toUpperCase()}` };
  const unit = String(m[2]).toUpperCase() as TtlUnit;
  return { amount, unit, text: `${amount} ${unit}` };
}

export function isTtl(v: SnapshotTtl | { readonly error: string }): v is SnapshotTtl {
  return !('error' in v);
}

/** When a snapshot finished at `finishedMs` with `ttl` expires. */
export function expireTimeOf(finishedMs: number, ttl: SnapshotTtl): number {
  if (ttl.unit !== 'MONTH') return finishedMs + ttl.amount * FIXED[ttl.unit];
  const d = new Date(finishedMs);
  const day = d.getDate();
  d.setDate(1);
  d.setMonth(d.getMonth() + ttl.amount);
  const last = new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate();
  d.setDate(Math.min(day, last));
  return d.getTime();
}
