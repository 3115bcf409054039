import { promises as fsp } from 'node:fs';
import path from 'node:path';

import type { ColumnMeta } from '../catalog/model.ts';
import { readSnapshotHeader, type SnapshotHeader } from '../storage/index.ts';
import { DESCRIPTOR_FIXED_BYTES, SEGMENT_MAGIC, SEGMENT_PREFIX_BYTES, typeFromCode, type SegmentColumn } from '../storage/segment/format.ts';
import { formatColumnType, type ColumnType } from '../types/index.ts';
import { JobStatusError } from './status.ts';

/**
 * A restore is only as right as its `__meta`: the table is created (or checked) from it, and the data files are then
 * read with that schema. `__meta` is not covered by the info file's checksums, so an edited one (a column type
 * changed, the file renamed to its new md5) would restore "OK" with wrong types. Before anything is published, every
 * downloaded tablet's header (`<tablet>.hdr`, whose md5 the info file does record) and every segment's own column
 * descriptors are compared with the schema the table is restored with; the first difference fails the job.
 */

/** What the restored table's columns are expected to be, and names for the message. */
export interface ExpectedSchema {
  /** Local table name (the alias when there is one). */
  readonly table: string;
  readonly columns: readonly ColumnMeta[];
  /** Snapshot label, for the message. */
  readonly label: string;
  /** Tablet id in the snapshot, for the message. */
  readonly remoteTabletId: number;
}

/** Compare the downloaded tablet in `dir` with `expected`; throws JobStatusError(BAD_FILE) naming the mismatch. */
export async function checkTabletSchema(dir: string, expected: ExpectedSchema): Promise<void> {
  const names = (await fsp.readdir(dir)).filter((n) => n.endsWith('.hdr'));
  if (names.length !== 1) return; // staging reports a missing or doubled header with its own message
  const headerName = names[0] as string;
  const header = await readSnapshotHeader(path.join(dir, headerName));
  await checkHeaderSchema(header, headerName, (name) => path.join(dir, name), expected);
}

/**
 * Compare a tablet's header (already read, `headerName` for the message) and its segment files (`localPath` maps a
 * file name in the header to where it was downloaded) with `expected`; throws JobStatusError(BAD_FILE).
 */
export async function checkHeaderSchema(
  header: SnapshotHeader,
  headerName: string,
  localPath: (name: string) => string,
  expected: ExpectedSchema,
): Promise<void> {
  const stored = header.columns.map((c) => ({ name: c.name, type: c.type, extra: c }));
  compare(expected, stored, headerName, true);
  for (const rowset of header.rowsets) {
    for (const file of rowset.files) {
      const columns = await readSegmentColumns(localPath(file.name));
      compare(expected, columns.map((c) => ({ name: c.name, type: c.type, extra: null })), file.name, false);
    }
  }
}

function compare(
  expected: ExpectedSchema,
  stored: readonly { name: string; type: ColumnType; extra: ColumnMeta | null }[],
  file: string,
  isHeader: boolean,
): void {
  const where = `tablet ${expected.remoteTabletId} ${isHeader ? 'header' : 'file'} ${file}`;
  const fail = (what: string): never => {
    throw new JobStatusError(
      'BAD_FILE',
      `The __meta of snapshot ${expected.label} does not match its data: ${what}. The meta file was changed after the backup; restore another snapshot`,
    );
  };
  if (stored.length !== expected.columns.length) {
    fail(`table ${expected.table} has ${expected.columns.length} columns in __meta, but ${where} stores ${stored.length}`);
  }
  expected.columns.forEach((want, i) => {
    const got = stored[i];
    if (got === undefined) return;
    if (got.name !== want.name) fail(`column ${i + 1} of table ${expected.table} is \`${want.name}\` in __meta, but \`${got.name}\` in ${where}`);
    if (JSON.stringify(got.type) !== JSON.stringify(want.type)) {
      fail(`column \`${want.name}\` of table ${expected.table} is ${formatColumnType(want.type)} in __meta, but ${where} stores ${formatColumnType(got.type)}`);
    }
    const extra = got.extra;
    if (extra === null) return;
    for (const key of ['nullable', 'isKey', 'aggregate'] as const) {
      if (extra[key] !== want[key]) {
        fail(`column \`${want.name}\` of table ${expected.table} has ${key} = ${String(want[key])} in __meta, but ${String(extra[key])} in ${where}`);
      }
    }
  });
}

/** The column descriptors of a segment file, read from its header only (not the column blocks). */
export async function readSegmentColumns(file: string): Promise<SegmentColumn[]> {
  const handle = await fsp.open(file, 'r');
  try {
    const prefix = Buffer.alloc(SEGMENT_PREFIX_BYTES);
    const { bytesRead } = await handle.read(prefix, 0, SEGMENT_PREFIX_BYTES, 0);
    if (bytesRead < SEGMENT_PREFIX_BYTES || prefix.readUInt32LE(0) !== SEGMENT_MAGIC) {
      throw new JobStatusError('BAD_FILE', `segment file ${file} is not a tablevault segment (bad magic)`);
    }
    const count = prefix.readUInt32LE(12);
    const headerLength = prefix.readUInt32LE(16);
    const size = (await handle.stat()).size;
    if (headerLength < SEGMENT_PREFIX_BYTES || headerLength > size) throw new JobStatusError('BAD_FILE', `segment file ${file} has a corrupt header`);
    const header = Buffer.alloc(headerLength);
    await handle.read(header, 0, headerLength, 0);
    const columns: SegmentColumn[] = [];
    let at = SEGMENT_PREFIX_BYTES;
    for (let i = 0; i < count; i++) {
      if (at + DESCRIPTOR_FIXED_BYTES > header.length) throw new JobStatusError('BAD_FILE', `segment file ${file} has a corrupt header`);
      const nameLength = header.readUInt16LE(at + 2);
      const type = typeFromCode(header.readUInt8(at), header.readUInt32LE(at + 4), header.readUInt32LE(at + 8));
      columns.push({ name: header.toString('utf8', at + DESCRIPTOR_FIXED_BYTES, at + DESCRIPTOR_FIXED_BYTES + nameLength), type });
      at += DESCRIPTOR_FIXED_BYTES + nameLength;
    }
    return columns;
  } finally {
    await handle.close();
  }
}
