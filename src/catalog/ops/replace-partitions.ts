import type { Catalog } from '../catalog.ts';
import { sqlError } from '../../errors/index.ts';
import { trashTablets } from './trash-tablets.ts';

/** ALTER TABLE … REPLACE PARTITION (p…) WITH TEMPORARY PARTITION (tp…), analysed. */
export interface PartitionReplacement {
  /** Table. */
  readonly tableId: number;
  /** Formal partitions to drop. */
  readonly formalIds: readonly number[];
  /** Temporary partitions that become formal. */
  readonly temporaryIds: readonly number[];
  /** New name per temporary partition id (the formal name it replaces, or its own name). */
  readonly names: ReadonlyMap<number, string>;
}

/**
 * Swap temporary partitions in for formal ones in one durable transaction: the formal partitions are dropped (their
 * files queued for deletion once no reader holds them) and the temporary ones become formal under their new names.
 */
export function replacePartitions(catalog: Catalog, r: PartitionReplacement): void {
  catalog.durableTransaction(() => {
    const check = catalog.prepare<[number, number, number], { id: number }>(
      'SELECT id FROM partitions WHERE id = ? AND table_id = ? AND temporary = ?',
    );
    for (const id of r.formalIds) {
      if (check.get(id, r.tableId, 0) === undefined) throw sqlError('ER_UNKNOWN_PARTITION', `Partition ${id} was dropped meanwhile`);
    }
    for (const id of r.temporaryIds) {
      if (check.get(id, r.tableId, 1) === undefined) throw sqlError('ER_UNKNOWN_PARTITION', `Temporary partition ${id} was dropped meanwhile`);
    }
    for (const id of r.formalIds) {
      trashTablets(catalog, 't.partition_id = ?', [id]);
      catalog.prepare('DELETE FROM partitions WHERE id = ?').run(id);
    }
    const promote = catalog.prepare('UPDATE partitions SET temporary = 0, name = ? WHERE id = ?');
    for (const id of r.temporaryIds) promote.run(r.names.get(id) ?? null, id);
  });
}
