/**
 * RESTORE's file path, piece by piece, as the restore steps call it: downloadTablets (DOWNLOADING: md5-verified
 * single-pass download into the job's download directory, temp name then rename, one flush), checkDownloaded
 * (COMMITTING: headers read from the repository, every file checked against them, manifest stats), placeRestore +
 * publishRestore (FINISHED: stats checked against what BACKUP recorded, files linked into every replica, one catalog
 * transaction). A real TableStore, a real file:// repository.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Broker } from '../../src/brokers/broker.ts';
import { listPartitions } from '../../src/catalog/ops/list-partitions.ts';
import { listReplicas } from '../../src/catalog/ops/list-replicas.ts';
import { listTablets } from '../../src/catalog/ops/list-tablets.ts';
import type { KeyModel, TableMeta } from '../../src/catalog/model.ts';
import { combineContentStats, manifestStats } from '../../src/jobs/meta-checksum.ts';
import { placeRestore, publishRestore } from '../../src/jobs/restore-publish.ts';
import { checkDownloaded, downloadTablets, downloadedName, isHeaderFile } from '../../src/jobs/restore-transfer.ts';
import type { JobRestoreTarget, RestorePlanMeta } from '../../src/jobs/restore-types.ts';
import type { FileEntry, RestorePlan, TabletSnapshot, TransferIO } from '../../src/jobs/steps.ts';
import type { JsonValue } from '../../src/catalog/jobs-types.ts';
import { SyncBarrier, syncFileSystem } from '../../src/util/sync-barrier.ts';
import { Repository } from '../../src/repository/repository.ts';
import { readSnapshotHeader } from '../../src/storage/snapshot.ts';
import type { Row } from '../../src/types/index.ts';
import { localBroker } from '../repository/helpers.ts';
import { insert, listFiles, makeTable, openStore, readAll, sortRows, type Fixture } from '../storage/helpers.ts';

let fx: Fixture;
let broker: Broker;
let repo: Repository;
beforeEach(async () => {
  fx = await openStore(3);
  const remote = path.join(fx.dir, 'remote');
  fs.mkdirSync(remote);
  broker = localBroker(remote);
  repo = (await Repository.attach(broker, 'r')).repository;
});
afterEach(async () => {
  await broker.close();
  await fx.close();
});

const md5 = (file: string): string => createHash('md5').update(fs.readFileSync(file)).digest('hex');

/** A backed-up table: its tablets snapshotted at the visible version and uploaded as BACKUP lays them out. */
interface Backup {
  readonly version: number;
  /** Per source tablet, in ordinal order: its remote dir and files. */
  readonly tablets: readonly { readonly remoteTabletId: number; readonly remoteDir: string; readonly files: readonly FileEntry[]; readonly stats: ReturnType<typeof manifestStats> }[];
}

async function backUp(table: TableMeta): Promise<Backup> {
  const pid = listPartitions(fx.store.catalog, table.id)[0]!.id;
  const pin = fx.store.pinVersions([pid]);
  const version = pin.versions.get(pid)!;
  const tablets = [];
  for (const tablet of listTablets(fx.store.catalog, { partitionId: pid })) {
    const replica = listReplicas(fx.store.catalog, { tabletId: tablet.id })[0]!;
    const snap = await fx.store.makeSnapshot(replica.id, version, { snapshotId: `backup_${table.name}` });
    const remoteDir = `__ss_l/__ss_content/__db_1/__tbl_${table.id}/__part_${pid}/__idx_1/__${tablet.id}`;
    for (const f of snap.files) await repo.uploadFile(path.join(snap.dir, f.name), `${remoteDir}/${f.name}`, f.md5, f.size);
    const header = await readSnapshotHeader(path.join(snap.dir, snap.files.find((f) => f.name.endsWith('.hdr'))!.name));
    tablets.push({ remoteTabletId: tablet.id, remoteDir, files: snap.files, stats: manifestStats(header.rowsets) });
    await fx.store.releaseSnapshot(snap.dir);
  }
  pin.release();
  return { version, tablets };
}

/** Restore targets for `table`'s tablets, mapped by ordinal to the backup's, each with its empty local snapshot dir. */
function targetsFor(table: TableMeta, backup: Backup, jobId: number): TabletSnapshot<JobRestoreTarget>[] {
  const pid = listPartitions(fx.store.catalog, table.id, { includeInvisible: true })[0]!.id;
  return listTablets(fx.store.catalog, { partitionId: pid }).map((tablet, ordinal) => {
    const replica = listReplicas(fx.store.catalog, { tabletId: tablet.id })[0]!;
    const remote = backup.tablets[ordinal]!;
    const dir = fx.store.snapshotDir(replica.backendId, `restore-${jobId}`, tablet.id);
    fs.mkdirSync(dir, { recursive: true });
    const target: JobRestoreTarget = {
      backendId: replica.backendId, tabletId: tablet.id, replicaId: replica.id, remoteTabletId: remote.remoteTabletId,
      remoteDir: remote.remoteDir, version: backup.version, files: remote.files, jobId, partitionId: pid,
    };
    return { target, snapshot: { dir, files: [] } };
  });
}

/** A TransferIO that records what downloadTablets reports (headers are read at COMMIT, never downloaded). */
function recordingIo(tablets: readonly TabletSnapshot<JobRestoreTarget>[]): TransferIO & { done: string[]; bytes: number } {
  const io = {
    signal: new AbortController().signal,
    pending: new Map(tablets.map((t) => [t.target.tabletId, t.target.files.filter((f) => !isHeaderFile(f.name))])),
    done: [] as string[],
    bytes: 0,
    fileDone(tabletId: number, name: string) {
      io.done.push(`${tabletId}/${name}`);
    },
    addBytes(n: number) {
      io.bytes += n;
    },
  };
  return io;
}

function planFor(table: TableMeta, backup: Backup, tablets: readonly TabletSnapshot<JobRestoreTarget>[], created: boolean): RestorePlan {
  const pid = tablets[0]!.target.partitionId;
  const stats = combineContentStats(backup.tablets.map((t) => t.stats));
  const meta: RestorePlanMeta = {
    dbId: table.dbId,
    stagingDir: path.join(fx.dir, 'restore', String(tablets[0]!.target.jobId)),
    createdTables: created ? [table.id] : [],
    createdPartitions: [],
    restoringTables: created ? [] : [table.id],
    partitionVersions: [[pid, backup.version]],
    views: [],
    expected: [{ table: table.name, partition: table.name, partitionId: pid, rowCount: stats.rowCount, checksum: stats.checksum }],
  };
  return { targets: tablets.map((t) => t.target), meta: meta as unknown as RestorePlan['meta'] };
}

/** The files a download places: every data file (not the header) under its download name. */
const dataFiles = (t: TabletSnapshot<JobRestoreTarget>): FileEntry[] => t.target.files.filter((f) => !isHeaderFile(f.name));
const local = (t: TabletSnapshot<JobRestoreTarget>, name: string): string => path.join(t.snapshot.dir, downloadedName(t.target.tabletId, name));
const flush = (): Promise<void> => syncFileSystem(fx.dir);

function download(tablets: readonly TabletSnapshot<JobRestoreTarget>[], io = recordingIo(tablets)): Promise<void> {
  return downloadTablets(repo, tablets, io, new SyncBarrier(flush));
}

/** COMMITTING for every tablet: what each move task records, by tablet id. */
async function checkAll(tablets: readonly TabletSnapshot<JobRestoreTarget>[]): Promise<Map<number, JsonValue>> {
  const moved = await checkDownloaded(repo, tablets, new AbortController().signal);
  return new Map(tablets.map((t, i) => [t.target.tabletId, moved[i]!]));
}

/** Restore `backup` into `table` through the real steps; returns the files placed. */
async function restore(table: TableMeta, backup: Backup, jobId: number, created: boolean): Promise<readonly string[]> {
  const tablets = targetsFor(table, backup, jobId);
  await download(tablets);
  const plan = planFor(table, backup, tablets, created);
  const moved = await checkAll(tablets);
  const placed = await placeRestore({ catalog: fx.store.catalog, store: fx.store }, plan, moved, flush);
  fx.store.catalog.durableTransaction(() => publishRestore({ catalog: fx.store.catalog, store: fx.store }, plan, placed));
  await fx.store.collectGarbage();
  return placed.created;
}

describe('downloadTablets', () => {
  it('downloads every pending file md5-verified and reports files and bytes; a file a crashed attempt left is replaced', async () => {
    const src = makeTable(fx.store, 'src', { buckets: 2 });
    await insert(fx.store, src.id, Array.from({ length: 40 }, (_, i): Row => [i, BigInt(i)]));
    await insert(fx.store, src.id, [[100, 100n]]);
    const backup = await backUp(src);
    const dst = makeTable(fx.store, 'dst', { buckets: 2, extra: { visible: false, state: 'RESTORE' } });
    const tablets = targetsFor(dst, backup, 1);
    // A file that a crashed earlier attempt had already downloaded (but not journaled).
    const first = tablets[0]!;
    const kept = first.target.files.find((f) => f.name.endsWith('.dat'))!;
    fs.writeFileSync(local(first, kept.name), 'a partial file of a crashed attempt');

    const io = recordingIo(tablets);
    await download(tablets, io);
    const all = tablets.flatMap((t) => dataFiles(t).map((f) => ({ t, f })));
    expect(io.done.sort()).toEqual(all.map(({ t, f }) => `${t.target.tabletId}/${f.name}`).sort());
    expect(io.bytes).toBe(all.reduce((n, { f }) => n + f.size, 0));
    for (const { t, f } of all) expect(md5(local(t, f.name)), f.name).toBe(f.md5);
    for (const t of tablets) expect(listFiles(t.snapshot.dir).map((p) => path.basename(p)).sort()).toEqual(dataFiles(t).map((f) => downloadedName(t.target.tabletId, f.name)).sort());
  });

  it('a remote file whose bytes do not match its md5 fails the job with BAD_FILE and leaves no temp file', async () => {
    const src = makeTable(fx.store, 'src', { buckets: 1 });
    await insert(fx.store, src.id, [[1, 1n], [2, 2n]]);
    const backup = await backUp(src);
    const dst = makeTable(fx.store, 'dst', { buckets: 1, extra: { visible: false, state: 'RESTORE' } });
    const tablets = targetsFor(dst, backup, 2);
    const victim = tablets[0]!.target.files.find((f) => f.name.endsWith('.dat'))!;
    const remote = path.join(fx.dir, 'remote', repo.root, tablets[0]!.target.remoteDir, `${victim.name}.${victim.md5}`);
    const bytes = fs.readFileSync(remote);
    bytes.writeUInt8(bytes.readUInt8(0) ^ 0xff, 0);
    fs.writeFileSync(remote, bytes);

    const io = recordingIo(tablets);
    const error = await download(tablets, io).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({
      code: 'BAD_FILE',
      message: `invalid md5 of downloaded file: ${local(tablets[0]!, victim.name)}, expected: ${victim.md5}, get: ${createHash('md5').update(bytes).digest('hex')}`,
    });
    expect(io.done).toEqual([]);
    const left = fs.readdirSync(tablets[0]!.snapshot.dir);
    expect(left.filter((n) => n === downloadedName(tablets[0]!.target.tabletId, victim.name) || !dataFiles(tablets[0]!).some((f) => n === downloadedName(tablets[0]!.target.tabletId, f.name)))).toEqual([]);
  });
});

describe('check, place and publish', () => {
  it('a backup restored into a new invisible table gives the same rows at the backup version, for each key model; loads go on', async () => {
    for (const keyModel of ['DUPLICATE', 'AGGREGATE'] as const satisfies readonly KeyModel[]) {
      const src = makeTable(fx.store, `src_${keyModel}`, { buckets: 3, keyModel });
      const rows: Row[] = Array.from({ length: 60 }, (_, i) => [i % 20, BigInt(i)]);
      await insert(fx.store, src.id, rows.slice(0, 30));
      await insert(fx.store, src.id, rows.slice(30));
      const backup = await backUp(src);
      const dst = makeTable(fx.store, `dst_${keyModel}`, { buckets: 3, keyModel, extra: { visible: false, state: 'RESTORE' } });
      expect(listPartitions(fx.store.catalog, dst.id)).toEqual([]); // invisible until published

      await restore(dst, backup, keyModel === 'DUPLICATE' ? 3 : 4, true);
      expect(listPartitions(fx.store.catalog, dst.id)[0]!.visibleVersion).toBe(backup.version);
      expect(sortRows(await readAll(fx.store, dst.id))).toEqual(sortRows(await readAll(fx.store, src.id)));
      await insert(fx.store, dst.id, [[99, 99n]]);
      expect(listPartitions(fx.store.catalog, dst.id)[0]!.visibleVersion).toBe(backup.version + 1);
    }
  });

  it('over an existing table: its content is replaced, the old rowsets go at the next collection', async () => {
    const a = makeTable(fx.store, 'a', { buckets: 1 });
    await insert(fx.store, a.id, [[1, 1n]]);
    const b = makeTable(fx.store, 'b', { buckets: 1 });
    for (let i = 0; i < 4; i++) await insert(fx.store, b.id, [[10 + i, 0n]]);
    const backup = await backUp(a);
    await restore(b, backup, 5, false);
    expect(sortRows(await readAll(fx.store, b.id))).toEqual(sortRows([[1, 1n]]));
    const tablet = listTablets(fx.store.catalog, { tableId: b.id })[0]!;
    const dataFiles = fx.store.backends.flatMap((be) => listFiles(path.join(be.dir, 'data', String(tablet.id))));
    expect(dataFiles).toHaveLength(3); // one segment on each of the three replicas; the old four rowsets are gone
  });

  it('a downloaded file of the wrong size is BAD_FILE; content that does not match the backup record is refused before anything is placed', async () => {
    const a = makeTable(fx.store, 'a', { buckets: 1 });
    await insert(fx.store, a.id, [[1, 1n], [2, 2n]]);
    const backup = await backUp(a);
    const b = makeTable(fx.store, 'b', { buckets: 1 });
    await insert(fx.store, b.id, [[7, 7n]]);
    const tablets = targetsFor(b, backup, 6);
    await download(tablets);

    const segment = tablets[0]!.target.files.find((f) => f.name.endsWith('.dat'))!;
    const file = local(tablets[0]!, segment.name);
    const good = fs.readFileSync(file);
    fs.writeFileSync(file, good.subarray(0, good.length - 1));
    const plan = planFor(b, backup, tablets, false);
    await expect(checkAll(tablets)).rejects.toMatchObject({
      code: 'BAD_FILE', message: `snapshot file ${segment.name} has ${good.length - 1} bytes, expected ${segment.size}`,
    });
    fs.writeFileSync(file, good);
    const moved = await checkAll(tablets);

    const meta = plan.meta as unknown as RestorePlanMeta;
    const tampered = { ...plan, meta: { ...meta, expected: [{ ...meta.expected[0]!, rowCount: meta.expected[0]!.rowCount + 1 }] } } as unknown as RestorePlan;
    const tablet = listTablets(fx.store.catalog, { tableId: b.id })[0]!;
    const before = fx.store.backends.flatMap((be) => listFiles(path.join(be.dir, 'data', String(tablet.id))));
    await expect(placeRestore({ catalog: fx.store.catalog, store: fx.store }, tampered, moved, flush)).rejects.toMatchObject({
      code: 'BAD_FILE', message: expect.stringMatching(/^restored content of partition b of table b does not match the backup: the files hold 2 rows; the backup recorded 3 rows\. /),
    });
    expect(fx.store.backends.flatMap((be) => listFiles(path.join(be.dir, 'data', String(tablet.id))))).toEqual(before);
    expect(sortRows(await readAll(fx.store, b.id))).toEqual(sortRows([[7, 7n]]));
  });

  it('a publish that fails in its transaction changes nothing and removes the files it placed', async () => {
    const a = makeTable(fx.store, 'a', { buckets: 1 });
    await insert(fx.store, a.id, [[1, 1n]]);
    await insert(fx.store, a.id, [[2, 2n]]);
    const backup = await backUp(a);
    const b = makeTable(fx.store, 'b', { buckets: 1 });
    await insert(fx.store, b.id, [[7, 7n]]);
    const tablets = targetsFor(b, backup, 7);
    await download(tablets);
    const plan = planFor(b, backup, tablets, false);
    const placed = await placeRestore({ catalog: fx.store.catalog, store: fx.store }, plan, await checkAll(tablets), flush);
    expect(placed.created.length).toBeGreaterThan(0);
    for (const f of placed.created) expect(fs.existsSync(f), f).toBe(true);

    // A partition version below the restored rowsets' versions: the catalog refuses the commit.
    const meta = plan.meta as unknown as RestorePlanMeta;
    const bad = { ...plan, meta: { ...meta, partitionVersions: [[meta.partitionVersions[0]![0], 1]] } } as unknown as RestorePlan;
    expect(() => fx.store.catalog.durableTransaction(() => publishRestore({ catalog: fx.store.catalog, store: fx.store }, bad, placed))).toThrow(/above the target version/);
    for (const f of placed.created) expect(fs.existsSync(f), f).toBe(false);
    expect(sortRows(await readAll(fx.store, b.id))).toEqual(sortRows([[7, 7n]]));
    expect(listPartitions(fx.store.catalog, b.id)[0]!.visibleVersion).toBe(2);
  });
});
