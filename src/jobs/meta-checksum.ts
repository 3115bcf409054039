/**
 * The per-partition stats BACKUP records in the job-info file (`tablevault.partition_stats`) and RESTORE compares
 * before it publishes: the rows stored (before key-model merging, like SHOW PARTITIONS' RowCount) and a checksum over
 * the md5 of every segment file. Both are known from the moment each file was written, so neither a backup nor a
 * restore re-reads or decodes data for them (DESIGN §2). Each file is md5-verified as it is downloaded; the partition
 * sums then prove that the restored partition holds exactly the files the backup took — none missing, none extra,
 * none moved to another partition.
 *
 * What this does not check is the rows themselves beyond those file md5s: there is no row-level content checksum yet
 * (per-partition content checksums computed while segments are written are planned, DESIGN §6).
 *
 * The checksum adds the first 16 hex digits of each md5 as two 32-bit lanes modulo 2^32. Addition is
 * order-independent, so tablet stats sum to their partition's whatever order the files are listed in.
 */

/** Rows and checksum of some content (a tablet or a partition at one version). */
export interface ContentStats {
  /** Rows stored, before key-model merging (SHOW PARTITIONS' RowCount, not what a SELECT counts). */
  readonly rowCount: number;
  /** 16 hex digits: two 32-bit lanes of summed file md5s. */
  readonly checksum: string;
}

/** The stats of nothing (an empty tablet); the neutral element of combineContentStats. */
export const EMPTY_CONTENT: ContentStats = { rowCount: 0, checksum: '0000000000000000' };

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

/** One way two stats differ: what (`rows`, `checksum`), and the expected and found values as printed. */
export interface ContentMismatch {
  readonly what: string;
  readonly expected: string;
  readonly found: string;
}

/**
 * How `found` differs from `expected` (the first field that differs, rows before checksum), or null when they match.
 * Callers (VERIFY SNAPSHOT) compare through this, never field by field, so a field added to ContentStats is compared
 * everywhere once it is compared here.
 */
export function contentMismatch(expected: ContentStats, found: ContentStats): ContentMismatch | null {
  if (expected.rowCount !== found.rowCount) return { what: 'rows', expected: String(expected.rowCount), found: String(found.rowCount) };
  if (expected.checksum !== found.checksum) return { what: 'checksum', expected: expected.checksum, found: found.checksum };
  return null;
}
