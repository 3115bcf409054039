import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Broker } from '../../src/brokers/broker.ts';
import { JOB_INFO_EXTENSION_VERSION, META_VERSION, STARROCKS_META_VERSION, type BackupJobInfo } from '../../src/repository/job-info.ts';
import { checksummedKey, jobInfoKey, jobInfoTimestamp, tabletFileKey, type TabletIds } from '../../src/repository/layout.ts';
import { contentId, contentLocations, readRepositoryIndex } from '../../src/repository/repository-index.ts';
import { readAll } from '../../src/repository/repository-types.ts';
import { Repository } from '../../src/repository/repository.ts';
import { executeDrop, planDrop } from '../../src/repository/snapshot-drop.ts';
import { BROKER_KINDS, type BrokerKind } from './broker-kinds.ts';
import { tempDir } from './helpers.ts';

/**
 * Reference-aware DROP SNAPSHOT on a model repository: snapshots written the way BACKUP writes them (incremental ones
 * reference content already stored), then dropped in random orders, some drops interrupted at a random step. After
 * every step, every remaining snapshot resolves every file to bytes with its md5 (restorable), and after every
 * completed drop the repository holds exactly the files the remaining snapshots need (nothing leaks).
 */

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

/** A snapshot to write: per tablet, the contents (indexes into a pool) of its files. */
interface ModelSnapshot {
  readonly label: string;
  readonly incremental: boolean;
  readonly tablets: readonly (readonly number[])[];
}

const pool = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.from(`content-${i}-${'x'.repeat(i % 7)}`));

async function writeSnapshot(repo: Repository, s: ModelSnapshot, contents: readonly Buffer[], time: number): Promise<void> {
  const index = await readRepositoryIndex(repo);
  const locations = contentLocations(index);
  const files: Record<string, string[]> = {};
  const sizes: Record<string, Record<string, number>> = {};
  const references: Record<string, Record<string, string>> = {};
  s.tablets.forEach((tablet, t) => {
    const tabletId = 100 + t;
    const ids: TabletIds = { dbId: 1, tableId: 2, partitionId: 3, indexId: 4, tabletId };
    tablet.forEach((c, k) => {
      const body = contents[c] as Buffer;
      const name = `${tabletId}_${k}.dat`;
      const stored = checksummedKey(name, md5(body));
      (files[String(tabletId)] ??= []).push(stored);
      (sizes[String(tabletId)] ??= {})[stored] = body.length;
      const at = s.incremental ? locations.get(contentId(md5(body), body.length)) : undefined;
      if (at !== undefined) (references[String(tabletId)] ??= {})[stored] = at;
    });
  });
  // Own files first (as BACKUP's uploads), then meta, then the info file last.
  for (const [t, names] of Object.entries(files)) {
    const ids: TabletIds = { dbId: 1, tableId: 2, partitionId: 3, indexId: 4, tabletId: Number(t) };
    for (const stored of names) {
      if (references[t]?.[stored] !== undefined) continue;
      const k = Number(stored.split('_')[1]?.split('.')[0]);
      const c = s.tablets[Number(t) - 100]?.[k] as number;
      await repo.uploadBytes(contents[c] as Buffer, tabletFileKey(s.label, ids, stored.slice(0, stored.lastIndexOf('.'))));
    }
  }
  await repo.writeMeta(s.label, { format: 'tablevault-backup-meta', version: 1, database: { id: 1, name: 'd', properties: {} }, tables: [] });
  const info: BackupJobInfo = {
    name: s.label,
    database: 'd',
    dbId: 1,
    backupTime: time,
    tables: [
      {
        name: 't',
        id: 2,
        partitions: [
          {
            name: 'p',
            id: 3,
            version: 2,
            indexes: [{ name: 't', id: 4, schemaHash: 1, tablets: Object.entries(files).map(([id, fs]) => ({ id: Number(id), files: fs })) }],
            subPartitions: [],
          },
        ],
      },
    ],
    metaVersion: META_VERSION,
    starrocksMetaVersion: STARROCKS_META_VERSION,
    success: true,
    extension: {
      version: JOB_INFO_EXTENSION_VERSION,
      fileSizes: sizes,
      partitionStats: {},
      views: {},
      finishedTime: time,
      backupType: s.incremental ? 'incremental' : 'full',
      references,
    },
  };
  await repo.writeJobInfo(s.label, info);
  expect((await repo.snapshotInfo(s.label)).timestamp).toBe(jobInfoTimestamp(time));
  void jobInfoKey;
}

/** Every remaining snapshot restorable: each file resolves and holds bytes with its md5. */
async function checkRestorable(repo: Repository, expected: ReadonlyMap<string, ModelSnapshot>, contents: readonly Buffer[]): Promise<void> {
  const index = await readRepositoryIndex(repo);
  expect(index.snapshots.map((s) => s.label).sort()).toEqual([...expected.keys()].sort());
  for (const s of index.snapshots) {
    const model = expected.get(s.label) as ModelSnapshot;
    expect(s.files.length).toBe(model.tablets.flat().length);
    for (const f of s.files) {
      const at = index.resolve(f);
      expect(at, `${s.label} ${f.storedName}`).not.toBeNull();
      const bytes = await readAll(await repo.broker.read(`${repo.root}/${at}`));
      expect(md5(bytes)).toBe(f.md5);
      const c = model.tablets[f.ids.tabletId - 100]?.[Number(f.name.split('_')[1]?.split('.')[0])] as number;
      expect(bytes.equals(contents[c] as Buffer)).toBe(true);
    }
  }
}

/** Exactly the data files remaining snapshots need are stored: no leak. */
async function checkNoGarbage(repo: Repository): Promise<void> {
  const index = await readRepositoryIndex(repo);
  const needed = new Set(index.snapshots.flatMap((s) => s.files.map((f) => index.resolve(f))));
  const data = [...index.stored.keys()].filter((k) => k.includes('/__ss_content/') || k.startsWith('__tv_objects/'));
  expect(data.sort()).toEqual([...needed].filter((k): k is string => k !== null).sort());
}

const snapshotsArb = fc
  .array(fc.array(fc.array(fc.integer({ min: 0, max: 11 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 6 })
  .map((list) => list.map((tablets, i): ModelSnapshot => ({ label: `s${i}`, incremental: i > 0, tablets })));

describe.each(BROKER_KINDS.filter((k) => !k.name.includes('disk-like')))('reference-aware DROP SNAPSHOT on %s', (kind: BrokerKind) => {
  const temp = tempDir();
  beforeAll(async () => kind.setup?.());
  afterAll(async () => {
    await kind.teardown?.();
    temp.cleanup();
  });
  const runs = kind.name.includes('memory') ? 25 : kind.name.includes('s3') ? 3 : 5;
  let n = 0;
  const fresh = async (): Promise<Repository> => {
    const broker: Broker = await kind.open(`${temp.dir}/run${++n}`);
    return (await Repository.attach(broker, 'r')).repository;
  };

  it("an interrupted COPY's `.part` in the object area is deleted by a later drop once an hour old, never while fresh", async () => {
    const repo = await fresh();
    const contents = pool(2);
    const kept: ModelSnapshot = { label: 's0', incremental: false, tablets: [[0, 1]] };
    await writeSnapshot(repo, kept, contents, Date.UTC(2026, 0, 1));
    const body = Buffer.from('the first bytes of an object a COPY was writing');
    const part = `__tv_objects/${md5(body).slice(0, 2)}/${md5(body)}_${body.length}.part`;
    await repo.broker.write(`${repo.root}/${part}`, body);
    const index = await readRepositoryIndex(repo);
    const leftover = index.objectLeftovers.find((l) => l.key === part);
    expect(leftover).toBeDefined();
    expect(index.objects).not.toContain(part);
    expect(planDrop(index, [], Date.now()).deletes.map((d) => d.key)).not.toContain(part);
    const later = planDrop(index, [], Date.now() + 2 * 60 * 60 * 1000);
    if (leftover?.modifiedAt === null) {
      // A storage that reports no modification time: the age is unknown, so it is never taken for garbage.
      expect(later.deletes.map((d) => d.key)).not.toContain(part);
      return;
    }
    expect(later.deletes).toEqual([{ key: part, size: body.length }]);
    expect(later.summaries).toEqual([{ label: null, timestamp: null, files: 1, bytes: body.length, moved: 0, movedBytes: 0 }]);
    await executeDrop(repo, later);
    expect((await readRepositoryIndex(repo)).stored.has(part)).toBe(false);
    await checkRestorable(repo, new Map([[kept.label, kept]]), contents);
  });

  it('any drop order (some interrupted) keeps every other snapshot restorable; DRY RUN is what the drop does', async () => {
    await fc.assert(
      fc.asyncProperty(snapshotsArb, fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.option(fc.nat({ max: 40 })), async (snapshots, picks, crashAt) => {
        const repo = await fresh();
        const contents = pool(12);
        const live = new Map<string, ModelSnapshot>();
        for (const [i, s] of snapshots.entries()) {
          await writeSnapshot(repo, s, contents, Date.UTC(2026, 0, 1 + i));
          live.set(s.label, s);
        }
        await checkRestorable(repo, live, contents);
        let crashed = crashAt === null;
        for (const pick of picks) {
          if (live.size === 0) break;
          const label = [...live.keys()][pick % live.size] as string;
          const index = await readRepositoryIndex(repo);
          const plan = planDrop(index, [label]);
          const before = new Set(index.stored.keys());
          let interrupted = false;
          let crashedAfter: string | undefined;
          try {
            await executeDrop(repo, plan, {
              onStep: (done, kind) => {
                if (!crashed && done === crashAt) {
                  crashed = true;
                  crashedAfter = kind;
                  throw new Error('crash');
                }
              },
            });
          } catch (error) {
            expect((error as Error).message).toContain('crash');
            interrupted = true;
          }
          live.delete(label);
          // Interrupted or not, the dropped snapshot is gone and every other one restorable.
          await checkRestorable(repo, live, contents);
          if (interrupted) {
            // The next run finishes it (the marker names the directory).
            // A crash after the last step ('finish': directory and marker deleted) comes after a complete drop.
            const again = planDrop(await readRepositoryIndex(repo), []);
            expect(again.labels).toEqual(crashedAfter === 'finish' ? [] : [label]);
            await executeDrop(repo, again);
            await checkRestorable(repo, live, contents);
          } else {
            // DRY RUN told exactly what went: deleted keys and moves.
            const after = new Set((await readRepositoryIndex(repo)).stored.keys());
            const gone = [...before].filter((k) => !after.has(k)).sort();
            const expectedGone = [...plan.infos, ...plan.deletes].map((d) => d.key).concat(plan.moves.map((m) => m.from));
            expect(gone).toEqual([...new Set(expectedGone)].filter((k) => !k.endsWith('__dropping')).sort());
            const appeared = [...after].filter((k) => !before.has(k)).sort();
            expect(appeared).toEqual(plan.moves.map((m) => m.to).sort());
          }
          await checkNoGarbage(repo);
        }
      }),
      { numRuns: runs },
    );
  }, 120_000);
});
