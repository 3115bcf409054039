import type { Catalog } from '../catalog.ts';

export interface PublishTargets {
  /** Tables created invisibly: become visible (and NORMAL). */
  readonly tableIds?: readonly number[];
  /** Partitions created invisibly (in new or existing tables): become visible. */
  readonly partitionIds?: readonly number[];
}

/**
 * Make restore-built tables and partitions visible, all at once: one transaction, so readers see either none or
 * all of them. Partitions of the published tables are published too.
 */
export function publishInvisible(catalog: Catalog, targets: PublishTargets): void {
  catalog.transaction(() => {
    for (const id of targets.tableIds ?? []) {
      catalog.prepare("UPDATE tables SET visible = 1, state = 'NORMAL' WHERE id = ?").run(id);
      catalog.prepare('UPDATE partitions SET visible = 1 WHERE table_id = ?').run(id);
    }
    for (const id of targets.partitionIds ?? []) catalog.prepare('UPDATE partitions SET visible = 1 WHERE id = ?').run(id);
  });
}
