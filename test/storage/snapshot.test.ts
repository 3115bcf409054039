import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitIngest } from '../../src/catalog/ops/commit-ingest.ts';
import { listPartitions } from '../../src/catalog/ops/list-partitions.ts';
import { listReplicas } from '../../src/catalog/ops/list-replicas.ts';
import { listTablets } from '../../src/catalog/ops/list-tablets.ts';
import { publishInvisible } from '../../src/catalog/ops/publish-invisible.ts';
import type { IngestPlan } from '../../src/storage/ingest.ts';
import { readSnapshotHeader } from '../../src/storage/snapshot.ts';
import { batchRows } from '../../src/storage/scan.ts';
import type { Row } from '../../src/types/index.ts';
import { insert, listFiles, makeTable, openStore, readAll, sortRows, type Fixture } from './helpers.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await openStore(3);
});
afterEach(async () => {
  await fx.close();
});

const md5 = (file: string) => createHash('md5').update(fs.readFileSync(file)).digest('hex');

async function tabletRows(tabletId: number, version?: number): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const b of fx.store.scanTablet(tabletId, version === undefined ? {} : { version })) rows.push(...batchRows(b));
  return rows;
}

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

  it('ingest round-trip: a snapshot ingested into another table (new, invisible, then published) gives the same rows', async () => {
    for (const keyModel of ['DUPLICATE', 'AGGREGATE'] as const) {
      const src = makeTable(fx.store, `src_${keyModel}`, { buckets: 3, keyModel });
      const rows: Row[] = Array.from({ length: 60 }, (_, i) => [i % 20, BigInt(i)]);
      await insert(fx.store, src.id, rows.slice(0, 30));
      await insert(fx.store, src.id, rows.slice(30));
      const srcPid = listPartitions(fx.store.catalog, src.id)[0]!.id;
      const pin = fx.store.pinVersions([srcPid]);
      const version = pin.versions.get(srcPid)!;
      const snaps = [];
      for (const tablet of listTablets(fx.store.catalog, { partitionId: srcPid })) {
        const replica = listReplicas(fx.store.catalog, { tabletId: tablet.id })[0]!;
        snaps.push(await fx.store.makeSnapshot(replica.id, version, { snapshotId: `backup_${keyModel}` }));
      }
      pin.release();

      const dst = makeTable(fx.store, `dst_${keyModel}`, { buckets: 3, keyModel, extra: { visible: false, state: 'RESTORE' } });
      const dstPid = listPartitions(fx.store.catalog, dst.id, { includeInvisible: true })[0]!.id;
      // "Download": copy each snapshot dir into a restore snapshot dir on the backend of the target's first replica,
      // renaming the header to the local tablet id as StarRocks' download does. Tablets map by ordinal.
      const plans: IngestPlan[] = [];
      const dstTablets = listTablets(fx.store.catalog, { partitionId: dstPid });
      for (const [ordinal, snap] of snaps.entries()) {
        const target = dstTablets[ordinal]!;
        const replica = listReplicas(fx.store.catalog, { tabletId: target.id })[0]!;
        const dl = fx.store.snapshotDir(replica.backendId, `restore_${keyModel}`, target.id);
        fs.mkdirSync(dl, { recursive: true });
        for (const f of snap.files) {
          const name = f.name.endsWith('.hdr') ? `${target.id}.hdr` : f.name;
          fs.copyFileSync(path.join(snap.dir, f.name), path.join(dl, name));
        }
        plans.push(await fx.store.prepareIngest({ tabletId: target.id, sourceDir: dl, verify: true }));
      }
      // Restore's COMMIT: all tablets and the publication in one caller-owned transaction.
      fx.store.catalog.durableTransaction(() => {
        commitIngest(fx.store.catalog, { tablets: plans, partitionVersions: new Map([[dstPid, version]]) });
        publishInvisible(fx.store.catalog, { tableIds: [dst.id] });
      });
      await fx.store.collectGarbage();
      for (const s of await fx.store.listSnapshots()) await fx.store.releaseSnapshot(s.dir);

      expect(listPartitions(fx.store.catalog, dst.id)[0]!.visibleVersion).toBe(version);
      expect(sortRows(await readAll(fx.store, dst.id))).toEqual(sortRows(await readAll(fx.store, src.id)));
      for (const [ordinal, tablet] of dstTablets.entries()) {
        const srcTablet = listTablets(fx.store.catalog, { partitionId: srcPid })[ordinal]!;
        expect(sortRows(await tabletRows(tablet.id))).toEqual(sortRows(await tabletRows(srcTablet.id)));
      }
      // Loads continue on the restored table from the restored version.
      await insert(fx.store, dst.id, [[99, 99n]]);
      expect(listPartitions(fx.store.catalog, dst.id)[0]!.visibleVersion).toBe(version + 1);
    }
  });

  it('ingest over an existing tablet replaces its content; abortIngest removes linked files; bad md5 is refused', async () => {
    const a = makeTable(fx.store, 'a', { buckets: 1 });
    const b = makeTable(fx.store, 'b', { buckets: 1 });
    await insert(fx.store, a.id, [[1, 1n]]);
    for (let i = 0; i < 4; i++) await insert(fx.store, b.id, [[10 + i, 0n]]);
    const aTablet = listTablets(fx.store.catalog, { tableId: a.id })[0]!;
    const bTablet = listTablets(fx.store.catalog, { tableId: b.id })[0]!;
    const snap = await fx.store.makeSnapshot(listReplicas(fx.store.catalog, { tabletId: aTablet.id })[0]!.id, 2);

    const plan = await fx.store.prepareIngest({ tabletId: bTablet.id, sourceDir: snap.dir });
    expect(sortRows(await readAll(fx.store, b.id))).toHaveLength(4);
    await fx.store.abortIngest(plan);
    for (const f of plan.createdFiles) expect(fs.existsSync(f)).toBe(false);

    const again = await fx.store.prepareIngest({ tabletId: bTablet.id, sourceDir: snap.dir });
    const bPid = listPartitions(fx.store.catalog, b.id)[0]!.id;
    fx.store.commitIngest([again], new Map([[bPid, 2]]));
    await fx.store.collectGarbage();
    expect(sortRows(await readAll(fx.store, b.id))).toEqual(sortRows([[1, 1n]]));
    const dataFiles = fx.store.backends.flatMap((be) => listFiles(path.join(be.dir, 'data', String(bTablet.id))));
    expect(dataFiles.length).toBe(3); // one segment on each of the three replicas; the old four rowsets are gone

    const segment = snap.files.find((f) => f.name.endsWith('.dat'))!;
    // Replace (never overwrite in place: the snapshot file is a hard link of table a's data file).
    fs.rmSync(path.join(snap.dir, segment.name));
    fs.writeFileSync(path.join(snap.dir, segment.name), Buffer.alloc(segment.size));
    await expect(fx.store.prepareIngest({ tabletId: bTablet.id, sourceDir: snap.dir, verify: true })).rejects.toThrow(/invalid md5/);
  });
});
