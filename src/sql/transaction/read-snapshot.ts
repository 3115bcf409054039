/**
 * A read snapshot: the visible version of every partition, read in one catalog read, with the store's files held
 * until release. Reads through it see exactly what was committed at that instant — the consistent snapshot of a
 * REPEATABLE READ transaction (mariadb-dump --single-transaction) and of LOCK TABLES … READ.
 *
 * Holding it keeps garbage collection of superseded files waiting (as a long InnoDB read view delays purge), so it
 * lives only as long as its transaction or its table locks.
 */
import type { TableMeta } from '../../catalog/index.ts';
import type { EngineServices } from '../context.ts';
import { tableDefinitionChanged } from './errors.ts';

export interface ReadSnapshot {
  /** When it was taken (engine clock, ms). */
  readonly takenAt: number;
  /**
   * The versions to read `table` at: its partitions that existed at the snapshot (partitions added later are not in
   * it). Throws 1412 for a table created after the snapshot.
   */
  versionsFor(table: TableMeta): ReadonlyMap<number, number>;
  /** Let garbage collection proceed. Idempotent. */
  release(): void;
}

export function takeReadSnapshot(services: Pick<EngineServices, 'catalog' | 'store' | 'clock'>): ReadSnapshot {
  const { catalog, store } = services;
  // One read transaction: the partition list and every version come from the same instant.
  const { pin, partitionsOf } = catalog.db.transaction(() => {
    const rows = catalog.prepare<[], { id: number; table_id: number }>('SELECT id, table_id FROM partitions').all();
    const byTable = new Map<number, number[]>();
    for (const r of rows) {
      const list = byTable.get(r.table_id);
      if (list === undefined) byTable.set(r.table_id, [r.id]);
      else list.push(r.id);
    }
    const tableIds = catalog.prepare<[], { id: number }>('SELECT id FROM tables').all().map((r) => r.id);
    for (const id of tableIds) if (!byTable.has(id)) byTable.set(id, []);
    return { pin: store.pinVersions(rows.map((r) => r.id)), partitionsOf: byTable };
  }).deferred();
  const cache = new Map<number, ReadonlyMap<number, number>>();
  return {
    takenAt: services.clock.now(),
    versionsFor(table) {
      let versions = cache.get(table.id);
      if (versions !== undefined) return versions;
      const ids = partitionsOf.get(table.id);
      if (ids === undefined) throw tableDefinitionChanged(table.name);
      versions = new Map(ids.map((id) => [id, pin.versions.get(id) as number]));
      cache.set(table.id, versions);
      return versions;
    },
    release: () => pin.release(),
  };
}
