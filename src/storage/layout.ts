/**
 * On-disk layout of a backend directory (`<dataDir>/be<N>/`):
 *
 *   data/<tabletId>/<rowsetId>_<segment>.dat      segment files of every rowset of a replica
 *   snapshot/<snapshotId>/<tabletId>/             hard links of a tablet's files at a version + `<tabletId>.hdr`
 *   tmp/                                          files being written (renamed into data/ once durable)
 *
 * Segment names follow StarRocks' `.dat` convention so a repository's file-name rules (§3.5: `.dat`, `.idx`,
 * `.hdr`) accept them.
 */
import path from 'node:path';

/** The catalog database, directly in the data dir. */
export const CATALOG_FILE = 'catalog.sqlite';
export const DATA_DIR = 'data';
export const SNAPSHOT_DIR = 'snapshot';
export const TMP_DIR = 'tmp';

/** `data/<tabletId>` of a backend. */
export function tabletDir(backendDir: string, tabletId: number): string {
  return path.join(backendDir, DATA_DIR, String(tabletId));
}

/** Name of segment `segment` of rowset `rowsetId`. */
export function segmentFileName(rowsetId: number, segment: number): string {
  return `${rowsetId}_${segment}.dat`;
}

/** Name of a snapshot header file. */
export function headerFileName(tabletId: number): string {
  return `${tabletId}.hdr`;
}
