/**
 * The per-partition stats BACKUP records in the job-info file (`tablevault.partition_stats`) and RESTORE compares
 * before it publishes:
 * - `rowCount`: rows stored (before key-model merging, like SHOW PARTITIONS' RowCount);
 * - `checksum`: a lane sum over the md5 of every segment file (proves the restored partition holds exactly the files
 *   the backup took — none missing, none extra, none moved to another partition);
 * - `contentChecksum`: an order-independent checksum of the rows themselves (src/storage/segment/content-hash.ts),
 *   summed from the hash each segment writer computed while writing the file and kept in the rowset manifest next to
 *   its md5 and rows. A backup only sums what the manifest holds (a segment written before content hashes existed is
 *   hashed once from its file when a backup first needs it, and recorded: src/storage/content-hash-fill.ts); RESTORE
 *   recomputes it from the files it downloaded, so a file whose bytes were changed — even with every md5 that records
 *   it fixed up — fails the restore before anything is published. Snapshots written before it existed have no
 *   `content_checksum`; they restore with the row count and file checksum checks alone.
 *
 * Both checksums add 16 hex digits as two 32-bit lanes modulo 2^32. Addition is order-independent, so file stats sum
 * to tablets and tablets to partitions whatever order the files are listed in, and however rows are split into files.
 */

/** Rows and checksums of some content (a tablet or a partition at one version). */
export interface ContentStats {
  /** Rows stored, before key-model merging (SHOW PARTITIONS' RowCount, not what a SELECT counts). */
  readonly rowCount: number;
  /** 16 hex digits: two 32-bit lanes of summed file md5s. */
  readonly checksum: string;
  /** 16 hex digits: two 32-bit lanes of summed row hashes; absent when some file has none (older data or snapshot). */
  readonly contentChecksum?: string;
}

const ZERO = '0000000000000000';

/** The stats of nothing (an empty tablet); the neutral element of combineContentStats. */
export const EMPTY_CONTENT: ContentStats = { rowCount: 0, checksum: ZERO, contentChecksum: ZERO };

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** Lane-wise sum of 16-hex-digit values. */
function laneSum(values: readonly string[]): string {
  let hi = 0;
  let lo = 0;
  for (const v of values) {
    hi = (hi + Number.parseInt(v.slice(0, 8), 16)) >>> 0;
    lo = (lo + Number.parseInt(v.slice(8, 16), 16)) >>> 0;
  }
  return hex(hi) + hex(lo);
}

/**
 * The manifest stats of a tablet's rowsets: rows stored (before key-model merging, like SHOW PARTITIONS' RowCount),
 * the lane sum of its files' md5s and, when every file records one, of their content hashes. Order-independent, so
 * tablets sum to their partition.
 */
export function manifestStats(
  rowsets: readonly { readonly files: readonly { readonly md5: string; readonly rows: number; readonly contentHash?: string }[] }[],
): ContentStats {
  let rows = 0;
  const md5s: string[] = [];
  const hashes: string[] = [];
  let complete = true;
  for (const rowset of rowsets) {
    for (const f of rowset.files) {
      rows += f.rows;
      md5s.push(f.md5);
      if (f.contentHash === undefined) complete = false;
      else hashes.push(f.contentHash);
    }
  }
  return { rowCount: rows, checksum: laneSum(md5s), ...(complete ? { contentChecksum: laneSum(hashes) } : {}) };
}

/** Sum of stats (tablets → partition); the content checksum only when every part has one. */
export function combineContentStats(parts: readonly ContentStats[]): ContentStats {
  let rows = 0;
  const hashes: string[] = [];
  for (const p of parts) {
    rows += p.rowCount;
    if (p.contentChecksum !== undefined) hashes.push(p.contentChecksum);
  }
  const out = { rowCount: rows, checksum: laneSum(parts.map((p) => p.checksum)) };
  return hashes.length === parts.length ? { ...out, contentChecksum: laneSum(hashes) } : out;
}

/**
 * What is wrong when `found` (recomputed from files) does not match `expected` (what a backup recorded), as a phrase
 * for a message ("… holds …; the backup recorded …"), or undefined when they match. Only what both sides have is
 * compared: a snapshot from before content checksums has none, and `checksum` may be left out by a caller that did not
 * recompute file md5s. RESTORE (before publishing) and VERIFY use it, so both report a mismatch alike.
 */
export function compareContentStats(
  expected: { readonly rowCount: number; readonly checksum?: string; readonly contentChecksum?: string },
  found: { readonly rowCount: number; readonly checksum?: string; readonly contentChecksum?: string },
): string | undefined {
  const problems: string[] = [];
  const recorded: string[] = [];
  if (expected.rowCount !== found.rowCount) {
    problems.push(`${found.rowCount} rows`);
    recorded.push(`${expected.rowCount} rows`);
  }
  if (expected.contentChecksum !== undefined && found.contentChecksum !== undefined && expected.contentChecksum !== found.contentChecksum) {
    problems.push(`content checksum ${found.contentChecksum}`);
    recorded.push(`content checksum ${expected.contentChecksum}`);
  }
  if (expected.checksum !== undefined && found.checksum !== undefined && expected.checksum !== found.checksum) {
    problems.push(`file checksum ${found.checksum}`);
    recorded.push(`file checksum ${expected.checksum}`);
  }
  if (problems.length === 0) return undefined;
  return `the files hold ${problems.join(', ')}; the backup recorded ${recorded.join(', ')}`;
}

/** One way two stats differ: what (`rows`, `checksum`), and the expected and found values as printed. */
export interface ContentMismatch {
  readonly what: string;
  readonly expected: string;
  readonly found: string;
}

/**
 * How `found` differs from `expected` (the first field that differs: rows, then the content checksum — compared only
 * when both sides have one — then the file checksum), or null when they match. Callers (VERIFY SNAPSHOT) compare
 * through this, never field by field, so a field added to ContentStats is compared everywhere once it is compared here.
 */
export function contentMismatch(expected: ContentStats, found: ContentStats): ContentMismatch | null {
  if (expected.rowCount !== found.rowCount) return { what: 'rows', expected: String(expected.rowCount), found: String(found.rowCount) };
  if (expected.contentChecksum !== undefined && found.contentChecksum !== undefined && expected.contentChecksum !== found.contentChecksum) {
    return { what: 'content checksum', expected: expected.contentChecksum, found: found.contentChecksum };
  }
  if (expected.checksum !== found.checksum) return { what: 'checksum', expected: expected.checksum, found: found.checksum };
  return null;
}
