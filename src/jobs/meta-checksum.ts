import { createHash } from 'node:crypto';
import type { TableStore } from '../storage/index.ts';
import type { Value } from '../types/value.ts';

/**
 * Content checksums recorded by BACKUP in the job-info file (`tablevault.partition_stats`) and checked by RESTORE.
 *
 * What BACKUP and RESTORE record and compare is the *manifest* checksum (manifestStats): per tablet, the rows stored
 * and the md5 of every segment file, all known from the moment each file was written — so neither a backup nor a
 * restore re-reads or decodes data to produce it (DESIGN §2: a backup never re-reads a file to learn it). Each file
 * is md5-verified on download; the per-partition manifest sum then proves the restored partition holds exactly the
 * files the backup took (none missing, extra, or placed in another partition). The row-level ContentHasher below
 * is the deep check for an on-demand verification, where decoding every row is the point.
 *
 * The checksum is order-independent on purpose: a restore places rows into tablets by ordinal and may write them
 * as different segment files, so neither file md5s nor row order survive — only the rows do. Each row is encoded
 * canonically, hashed (md5), and the first 8 bytes are added up as two 32-bit lanes modulo 2^32. Addition makes the
 * sum of tablet checksums the partition checksum, so it can be computed tablet by tablet.
 */

/** Rows and checksum of some content (a tablet or a partition at one version). */
export interface ContentStats {
  /** Rows after key-model merging (what a SELECT would count). */
  readonly rowCount: number;
  /** 16 hex digits: two 32-bit lanes of summed row hashes. */
  readonly checksum: string;
}

/** The stats of nothing (an empty tablet); the neutral element of combineContentStats. */
export const EMPTY_CONTENT: ContentStats = { rowCount: 0, checksum: '0000000000000000' };

/** One value's canonical text; the type tag keeps `1` (INT) and `'1'` (VARCHAR) apart. */
function encodeValue(v: Value): string {
  if (v === null) return 'N';
  switch (typeof v) {
    case 'string':
      return `S${v.length}:${v}`;
    case 'number':
      return `D${Object.is(v, -0) ? '0' : String(v)}`;
    case 'bigint':
      return `I${v.toString()}`;
    case 'boolean':
      return v ? 'T' : 'F';
  }
}

/** Accumulates row hashes. */
export class ContentHasher {
  #rows = 0;
  #hi = 0;
  #lo = 0;

  /** Add one row (values in schema order). */
  addRow(row: readonly Value[]): void {
    const h = createHash('md5');
    for (const v of row) h.update(encodeValue(v)).update('\u0001');
    const d = h.digest();
    this.#hi = (this.#hi + d.readUInt32BE(0)) >>> 0;
    this.#lo = (this.#lo + d.readUInt32BE(4)) >>> 0;
    this.#rows++;
  }

  /** The stats so far. */
  result(): ContentStats {
    return { rowCount: this.#rows, checksum: hex(this.#hi) + hex(this.#lo) };
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * The manifest stats of a tablet's rowsets: rows stored (before key-model merging, like SHOW PARTITIONS' RowCount)
 * and the lane sum of its files' md5s. Order-independent, so tablets sum to their partition.
 */
export function manifestStats(rowsets: readonly { readonly files: readonly { readonly md5: string; readonly rows: number }[] }[]): ContentStats {
  let rows = 0;
  let hi = 0;
  let lo = 0;
  for (const rowset of rowsets) {
    for (const f of rowset.files) {
      rows += f.rows;
      hi = (hi + Number.parseInt(f.md5.slice(0, 8), 16)) >>> 0;
      lo = (lo + Number.parseInt(f.md5.slice(8, 16), 16)) >>> 0;
    }
  }
  return { rowCount: rows, checksum: hex(hi) + hex(lo) };
}

/** Sum of stats (tablets → partition). */
export function combineContentStats(parts: readonly ContentStats[]): ContentStats {
  let rows = 0;
  let hi = 0;
  let lo = 0;
  for (const p of parts) {
    rows += p.rowCount;
    hi = (hi + Number.parseInt(p.checksum.slice(0, 8), 16)) >>> 0;
    lo = (lo + Number.parseInt(p.checksum.slice(8, 16), 16)) >>> 0;
  }
  return { rowCount: rows, checksum: hex(hi) + hex(lo) };
}

/**
 * Rows and checksum of one tablet at `version` (default: its partition's visible version), read through the store
 * so key models are merged exactly as queries see them. RESTORE calls this on the restored tablets and compares
 * the partition sums with the job info.
 */
export async function tabletContentStats(
  store: TableStore,
  tabletId: number,
  options: { readonly version?: number; readonly signal?: AbortSignal } = {},
): Promise<ContentStats> {
  const hasher = new ContentHasher();
  const scanOptions = {
    ...(options.version === undefined ? {} : { version: options.version }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const row: Value[] = [];
  for await (const batch of store.scanTablet(tabletId, scanOptions)) {
    const cols = batch.columns;
    for (let r = 0; r < batch.rowCount; r++) {
      row.length = cols.length;
      for (let c = 0; c < cols.length; c++) row[c] = cols[c]![r]!;
      hasher.addRow(row);
    }
  }
  return hasher.result();
}
