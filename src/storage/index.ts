/** Storage: backends, segment files, loads, scans and snapshots. The SQL executor uses TableStore. */
export { TableStore, type StoreBackend, type TableStoreOptions, type TableScanOptions, type VersionPin } from './table-store.ts';
export { IDENTITY_FILE, OWNER_FILE, ForeignBackendError, readOwner, type DataDirIdentity } from './identity.ts';
export { LoadWriter, type LoadOptions, type LoadResult } from './load-writer.ts';
export { batchRows, type RowBatch, type ScanOptions } from './scan.ts';
export type { TabletSnapshot, SnapshotFile, SnapshotHeader, SnapshotDir, SnapshotRequest, SharedSnapshot } from './snapshot.ts';
export { readSnapshotHeader } from './snapshot.ts';
export type { SweepReport } from './sweep.ts';
export { distributionHash, bucketOf } from './hash.ts';
export type { MergeSpec } from './merge.ts';
export { SegmentBuilder, encodeSegment } from './segment/segment-writer.ts';
export { decodeSegment, readSegmentHeader, type DecodedSegment, type SegmentHeader } from './segment/segment-reader.ts';
export type { SegmentColumn } from './segment/format.ts';
