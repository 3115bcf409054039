import { contentId, type IndexedSnapshot } from './repository-index.ts';

/**
 * SHOW SNAPSHOT DIFF (Apache Ozone's snapshot diff, for table snapshots): which tables and partitions were added,
 * removed or changed between two snapshots, with rows and bytes before and after — from the info files alone (file
 * md5s and sizes, recorded row counts); no data file is read. A partition is CHANGED when the multiset of its files'
 * contents (md5 and size) differs; a view when its SQL differs; a table when any of its partitions (or its SQL) did.
 */

export type DiffChange = 'ADDED' | 'REMOVED' | 'CHANGED';

export interface DiffRow {
  readonly table: string;
  /** null on the table's own row. */
  readonly partition: string | null;
  readonly change: DiffChange;
  /** Rows recorded at backup (stored rows, before key-model merging); null when absent or not recorded. */
  readonly rowsBefore: number | null;
  readonly rowsAfter: number | null;
  /** Bytes of the data files; null when absent. */
  readonly bytesBefore: number | null;
  readonly bytesAfter: number | null;
}

interface PartitionFacts {
  readonly rows: number | null;
  readonly bytes: number;
  readonly fingerprint: string;
}

interface TableFacts {
  readonly view: string | null;
  readonly partitions: Map<string, PartitionFacts>;
}

function facts(s: IndexedSnapshot): Map<string, TableFacts> {
  const info = s.info;
  const where = new Map<number, { table: string; partition: string }>();
  const out = new Map<string, TableFacts>();
  for (const t of info.tables) {
    const view = info.extension?.views[t.name] ?? null;
    out.set(t.name, { view: t.partitions.length === 0 ? (view ?? '') : null, partitions: new Map() });
    for (const p of t.partitions) {
      where.set(p.id, { table: t.name, partition: p.name });
      for (const sp of p.subPartitions) where.set(sp.id, { table: t.name, partition: p.name });
    }
  }
  const files = new Map<string, { bytes: number; ids: string[] }>();
  for (const f of s.files) {
    const w = where.get(f.ids.partitionId);
    if (w === undefined) continue;
    const k = `${w.table}\u0000${w.partition}`;
    const e = files.get(k) ?? { bytes: 0, ids: [] };
    e.bytes += Math.max(0, f.size);
    e.ids.push(contentId(f.md5, f.size));
    files.set(k, e);
  }
  for (const t of info.tables) {
    const table = out.get(t.name) as TableFacts;
    for (const p of t.partitions) {
      const e = files.get(`${t.name}\u0000${p.name}`) ?? { bytes: 0, ids: [] };
      const rows = info.extension?.partitionStats[t.name]?.[p.name]?.rowCount ?? null;
      table.partitions.set(p.name, { rows, bytes: e.bytes, fingerprint: [...e.ids].sort().join(',') });
    }
  }
  return out;
}

const sum = (xs: readonly (number | null)[]): number | null => (xs.some((x) => x === null) ? null : xs.reduce<number>((a, b) => a + (b as number), 0));

/** The differences from `a` to `b`, tables by name, each table's row before its partitions'. */
export function diffSnapshots(a: IndexedSnapshot, b: IndexedSnapshot): DiffRow[] {
  const before = facts(a);
  const after = facts(b);
  const rows: DiffRow[] = [];
  for (const name of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const x = before.get(name);
    const y = after.get(name);
    const parts: DiffRow[] = [];
    const names = [...new Set([...(x?.partitions.keys() ?? []), ...(y?.partitions.keys() ?? [])])].sort();
    for (const p of names) {
      const px = x?.partitions.get(p);
      const py = y?.partitions.get(p);
      const change: DiffChange | null = px === undefined ? 'ADDED' : py === undefined ? 'REMOVED' : px.fingerprint !== py.fingerprint ? 'CHANGED' : null;
      if (change === null) continue;
      parts.push({
        table: name,
        partition: p,
        change,
        rowsBefore: px?.rows ?? null,
        rowsAfter: py?.rows ?? null,
        bytesBefore: px?.bytes ?? null,
        bytesAfter: py?.bytes ?? null,
      });
    }
    const viewChanged = x !== undefined && y !== undefined && x.view !== y.view;
    const change: DiffChange | null = x === undefined ? 'ADDED' : y === undefined ? 'REMOVED' : parts.length > 0 || viewChanged ? 'CHANGED' : null;
    if (change === null) continue;
    const total = (t: TableFacts | undefined, f: (p: PartitionFacts) => number | null): number | null =>
      t === undefined || t.view !== null ? null : sum([...t.partitions.values()].map(f));
    rows.push({
      table: name,
      partition: null,
      change,
      rowsBefore: total(x, (p) => p.rows),
      rowsAfter: total(y, (p) => p.rows),
      bytesBefore: total(x, (p) => p.bytes),
      bytesAfter: total(y, (p) => p.bytes),
    });
    rows.push(...parts);
  }
  return rows;
}
