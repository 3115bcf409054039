import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Broker } from '../../src/brokers/broker.ts';
import { FaultInjectingBroker } from '../../src/brokers/fault-injecting-broker.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';
import { getJob } from '../../src/catalog/jobs-read.ts';
import { listTasks } from '../../src/catalog/jobs-tasks.ts';
import { CatalogRepositoryStore } from '../../src/catalog/repositories.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { createBackupSteps } from '../../src/jobs/backup-steps.ts';
import type { FileEntry, LocalSnapshot, SnapshotTarget, TabletSnapshot } from '../../src/jobs/steps.ts';
import { parseJobInfo } from '../../src/repository/job-info.ts';
import { RepositoryManager } from '../../src/repository/repository-manager.ts';
import { SECRET_KEY_FILE_NAME, SecretBox } from '../../src/repository/secret-box.ts';
import { TableStore } from '../../src/storage/index.ts';
import { systemClock } from '../../src/util/clock.ts';
import { listTree, openFixture, seedDatabase, unkeptSnapshotFiles, type BackupFixture } from '../sql/backup-fixture.ts';

/** Wraps every repository adapter; `uploads` counts data-file uploads across engine restarts. */
function countingBrokers(latencyMs: number) {
  const wrappers: FaultInjectingBroker[] = [];
  return {
    wrappers,
    uploads: () => wrappers.reduce((n, w) => n + (w.stats.calls['uploadFile'] ?? 0), 0),
    open: async (location: string, properties: Readonly<Record<string, string>>): Promise<Broker> => {
      const w = new FaultInjectingBroker(await openBroker(location, properties), { latencyMs, ops: ['uploadFile'] });
      wrappers.push(w);
      return w;
    },
  };
}

let f: BackupFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('BACKUP resume', () => {
  it('a backup interrupted by a restart resumes and sends only the files not yet uploaded', async () => {
    const slow = countingBrokers(60);
    f = await openFixture({ openBroker: slow.open });
    await seedDatabase(f);
    await f.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${path.join(f.dir, 'repo')}'`);
    await f.exec('BACKUP SNAPSHOT d1.snap TO r1');
    const jobId = Number((await f.rows('SHOW BACKUP FROM d1'))[0]![0]);
    let total = 0;
    for await (const e of f.engine.jobs.watch(jobId)) {
      total = e.filesTotal;
      if (e.filesDone >= 3) break;
    }
    // "Crash": the engine stops mid-UPLOADING; the job stays in the journal.
    const before = slow.uploads();
    const fast = countingBrokers(0);
    await f.reopen({ openBroker: fast.open });
    const row = await f.waitBackup('d1');
    expect(row[3]).toBe('FINISHED');
    expect(total).toBeGreaterThan(5);
    // Files journaled as done before the restart were not sent again; the others were, once each.
    expect(fast.uploads()).toBeGreaterThan(0);
    expect(fast.uploads()).toBeLessThanOrEqual(total - 3);
    expect(before + fast.uploads()).toBeGreaterThanOrEqual(total);
    // And the snapshot is complete: every listed file is in place.
    const root = path.join(f.dir, 'repo', '__starrocks_repository_r1', '__ss_snap');
    const tree = listTree(root);
    const info = parseJobInfo(fs.readFileSync(path.join(root, tree.find((p) => p.startsWith('__info_'))!), 'utf8'));
    let listed = 0;
    for (const t of info.tables) for (const p of t.partitions) for (const idx of p.indexes) for (const tb of idx.tablets) listed += tb.files.length;
    expect(listed).toBe(total);
    expect(tree.filter((p) => p.startsWith('__ss_content/'))).toHaveLength(total);
    expect(unkeptSnapshotFiles(f.dataDir)).toEqual([]);
  });

  it('upload skips files already in the repository with the same name and md5', async () => {
    f = await openFixture();
    await seedDatabase(f);
    await f.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${path.join(f.dir, 'repo')}'`);
    await f.exec('BACKUP SNAPSHOT d1.snap TO r1');
    const jobId = Number((await f.rows('SHOW BACKUP FROM d1'))[0]![0]);
    expect((await f.waitBackup('d1'))[3]).toBe('FINISHED');
    await f.engine.close();

    // Re-run the upload step of the finished job with every file pending, as if the journal had lost them all
    // (a crash between the remote rename and the journal write): nothing may be sent again.
    const store = await TableStore.open(f.dataDir, { logger: createLogger({ level: 'silent' }) });
    const counting = countingBrokers(0);
    const repositories = new RepositoryManager({
      store: new CatalogRepositoryStore(store.catalog),
      secrets: await SecretBox.open(path.join(f.dataDir, SECRET_KEY_FILE_NAME)),
      openBroker: counting.open,
    });
    try {
      const steps = createBackupSteps({ store, repositories, catalog: store.catalog, logger: createLogger({ level: 'silent' }), clock: systemClock, dataDir: f.dataDir });
      const job = getJob(store.catalog, jobId)!;
      const tablets = listTasks(store.catalog, jobId, 'snapshot').map(
        (t): TabletSnapshot<SnapshotTarget> => ({ target: t.payload as unknown as SnapshotTarget, snapshot: t.result as unknown as LocalSnapshot }),
      );
      const pending = new Map<number, FileEntry[]>(tablets.map((t) => [t.target.tabletId, [...t.snapshot.files]]));
      const done: string[] = [];
      await steps.upload(job, tablets, {
        signal: new AbortController().signal,
        pending,
        fileDone: (tabletId, name) => done.push(`${tabletId}/${name}`),
        addBytes: () => {},
      });
      const expected = tablets.flatMap((t) => t.snapshot.files.map((x) => `${t.target.tabletId}/${x.name}`));
      expect(done.sort()).toEqual(expected.sort());
      expect(counting.uploads()).toBe(0);

      // A file whose remote copy has another md5 is sent again and the stale variant removed.
      const first = tablets.find((t) => t.snapshot.files.length > 1)!;
      const file = first.snapshot.files[0]!;
      const changed: FileEntry = { ...file, md5: 'f'.repeat(32) };
      fs.mkdirSync(first.snapshot.dir, { recursive: true });
      fs.writeFileSync(path.join(first.snapshot.dir, file.name), 'new bytes');
      await steps.upload(job, [first], {
        signal: new AbortController().signal,
        pending: new Map([[first.target.tabletId, [changed]]]),
        fileDone: () => {},
        addBytes: () => {},
      });
      expect(counting.uploads()).toBe(1);
      const tabletDir = listTree(path.join(f.dir, 'repo')).filter((p) => p.includes(`/__${first.target.tabletId}/${file.name}.`));
      expect(tabletDir.map((p) => p.slice(-32))).toEqual(['f'.repeat(32)]);
      fs.rmSync(path.dirname(first.snapshot.dir), { recursive: true, force: true });
    } finally {
      await repositories.close();
      await store.close();
      // The fixture's close() closes the (already closed) engine again, which is a no-op.
    }
  });
});
