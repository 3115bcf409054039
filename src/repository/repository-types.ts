import type { Readable } from 'node:stream';

import type { BrokerEntry } from '../brokers/broker.ts';
import type { Logger } from '../logging/logger.ts';
import type { Clock } from '../util/clock.ts';
import type { Repository } from './repository.ts';

/** Options, results and SHOW SNAPSHOT row shapes of Repository (see repository.ts). */

export interface RepositoryOptions {
  /** Refuse every write (BACKUP, DROP SNAPSHOT) — RESTORE and SHOW SNAPSHOT still work. */
  readonly readOnly?: boolean;
  /** Time source for create_time. */
  readonly clock?: Clock;
  /** Parent logger; the repository logs through a child `{ component: 'repository', repository }`. */
  readonly logger?: Logger;
  /** Cancels attach. */
  readonly signal?: AbortSignal;
  /** Label reservation timing (tests shorten the settle wait); see label-reservation.ts. */
  readonly labelReservation?: { readonly settleMs?: number; readonly rounds?: number; readonly random?: () => number };
}

export interface AttachResult {
  readonly repository: Repository;
  /** The repository's create time (ms): adopted from an existing `__repo_info`, else now. */
  readonly createTime: number;
  /** True when this call wrote a new `__repo_info`; false when it re-attached or (READ ONLY) wrote nothing. */
  readonly created: boolean;
  /** True when an existing `__repo_info` was found and its create time adopted. */
  readonly reattached: boolean;
}

export interface TransferOptions {
  readonly signal?: AbortSignal;
  /** Running byte count. */
  readonly onProgress?: (bytes: number) => void;
}

export interface StoredFile {
  /** Key relative to the repository root, checksum included (`…/__meta.<md5>`). */
  readonly key: string;
  readonly md5: string;
  readonly size: number;
}

/** One file found in a tablet directory. */
export interface RemoteTabletFile {
  /** Name as stored, e.g. `10042_0.dat.<md5>` or a crash's leftover `10042_0.dat.part`. */
  readonly storedName: string;
  /** Name without the checksum, or null when the name carries no valid checksum (temp files, foreign files). */
  readonly fileName: string | null;
  /** md5 from the name, or null. */
  readonly md5: string | null;
  readonly size: number;
}

/** SHOW SNAPSHOT (ALL shape) row: Snapshot, Timestamp, Status. */
export interface SnapshotInfoRow {
  readonly snapshot: string;
  /** `\n`-joined timestamps (or `Invalid: <file>` entries); null when listing failed. */
  readonly timestamp: string | null;
  /** `OK`, `ERROR: no snapshot` or `ERROR: Failed to get info: <err>`. */
  readonly status: string;
}

/** SHOW SNAPSHOT (DETAIL shape) row: Snapshot, Timestamp, Database, Details, Status. */
export interface SnapshotDetailRow {
  readonly snapshot: string;
  readonly timestamp: string;
  readonly database: string | null;
  /** `toJson(false).toString(1)` of the job info. */
  readonly details: string | null;
  readonly status: string;
}

const REPO_INFO_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** StarRocks' TimeUtils.timeStringToLong for `yyyy-MM-dd HH:mm:ss` (local time); -1 when unparsable. */
export function parseDateTime(text: unknown): number {
  if (typeof text !== 'string') return -1;
  const m = REPO_INFO_TIME.exec(text);
  if (m === null) return -1;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = new Date(y, mo - 1, d, h, mi, s).getTime();
  return Number.isNaN(ms) ? -1 : ms;
}

export async function collect(it: AsyncIterable<BrokerEntry>): Promise<BrokerEntry[]> {
  const out: BrokerEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

