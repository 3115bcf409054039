import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listPartitions } from '../../src/catalog/ops/list-partitions.ts';
import { listReplicas } from '../../src/catalog/ops/list-replicas.ts';
import { listTablets } from '../../src/catalog/ops/list-tablets.ts';
import { readSnapshotHeader } from '../../src/storage/snapshot.ts';
import { insert, listFiles, makeTable, openStore, type Fixture } from './helpers.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await openStore(3);
});
afterEach(async () => {
  await fx.close();
});

const md5 = (file: string) => createHash('md5').update(fs.readFileSync(file)).digest('hex');

describe('snapshots', () => {
  it('links a tablet at a version with a header; immune to later loads, truncate and drop; release removes only it', async () => {
    const t = makeTable(fx.store, 's', { buckets: 1 });
    await insert(fx.store, t.id, [[1, 1n], [2, 2n]]);
    await insert(fx.store, t.id, [[3, 3n]]);
    const pid = listPartitions(fx.store.catalog, t.id)[0]!.id;
    const tablet = listTablets(fx.store.catalog, { partitionId: pid })[0]!;
    const replica = listReplicas(fx.store.catalog, { tabletId: tablet.id })[0]!;
    const pin = fx.store.pinVersions([pid]);
    const snap = await fx.store.makeSnapshot(replica.id, pin.versions.get(pid)!, { snapshotId: 'job1' });
    pin.release();
    expect(snap.dir).toBe(fx.store.snapshotDir(replica.backendId, 'job1', tablet.id));
    expect(snap.files.map((f) => f.name).at(-1)).toBe(`${tablet.id}.hdr`);
    for (const f of snap.files) {
      expect(md5(path.join(snap.dir, f.name))).toBe(f.md5);
      expect(fs.statSync(path.join(snap.dir, f.name)).size).toBe(f.size);
    }
    expect(listFiles(snap.dir)).toEqual(snap.files.map((f) => f.name).sort());
    const header = await readSnapshotHeader(path.join(snap.dir, `${tablet.id}.hdr`));
    expect(header.version).toBe(3);
    expect(header.rowsets.map((r) => [r.version, r.kind])).toEqual([[2, 'delta'], [3, 'delta']]);

    await insert(fx.store, t.id, [[4, 4n]]);
    fx.store.truncate(t.id);
    fx.store.dropTable(t.id);
    await fx.store.collectGarbage();
    expect(fs.existsSync(path.join(fx.store.backends[0]!.dir, 'data', String(tablet.id)))).toBe(false);
    for (const f of snap.files) expect(md5(path.join(snap.dir, f.name))).toBe(f.md5);

    const listed = await fx.store.listSnapshots();
    expect(listed.map((s) => [s.snapshotId, s.tabletId, s.dir])).toEqual([['job1', tablet.id, snap.dir]]);
    await expect(fx.store.releaseSnapshot(path.join(fx.store.backends[0]!.dir, 'data'))).rejects.toThrow(/not a snapshot/);
    await fx.store.releaseSnapshot(snap.dir);
    expect(fs.existsSync(snap.dir)).toBe(false);
    expect(await fx.store.listSnapshots()).toEqual([]);
  });

  it('snapshot survives reopen (the sweep leaves snapshot dirs alone) and refuses a version the replica lacks', async () => {
    const t = makeTable(fx.store, 'r', { buckets: 1 });
    await insert(fx.store, t.id, [[1, 1n]]);
    const tablet = listTablets(fx.store.catalog, { tableId: t.id })[0]!;
    const replica = listReplicas(fx.store.catalog, { tabletId: tablet.id })[0]!;
    await expect(fx.store.makeSnapshot(replica.id, 9)).rejects.toThrow(/replica version/);
    const snap = await fx.store.makeSnapshot(replica.id, 2);
    await fx.store.close();
    const { TableStore } = await import('../../src/storage/table-store.ts');
    const again = await TableStore.open(fx.dir);
    expect((await again.listSnapshots()).map((s) => s.dir)).toEqual([snap.dir]);
    await again.close();
    fx = { ...fx, store: await TableStore.open(fx.dir) };
  });
});
