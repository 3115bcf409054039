import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Catalog } from '../../src/catalog/catalog.ts';
import { getDatabase, getTable, listTrash } from '../../src/catalog/index.ts';
import { batchRows, TableStore } from '../../src/storage/index.ts';
import type { Value } from '../../src/types/index.ts';
import { openFixture, type BackupFixture } from '../sql/backup-fixture.ts';
import { runToEnd } from '../sql/restore-dataset.ts';
import { RestoreGates } from './gated-broker.ts';

/**
 * Readers through an in-place RESTORE: until the publish commits every read sees exactly the old data, after it
 * exactly the new — never an error, never a mix. Before readers resolved a whole consistent cut at once,
 * `SELECT COUNT(*)` during a restore failed with `tablet … has no replica at version …`: it had resolved the
 * partition version before the publish and the tablet's replicas after it (a restore may set versions back).
 *
 * The job is held deterministically in PENDING (its read of the snapshot's meta file waits on a gate) and in
 * DOWNLOADING (its data-file reads wait on a gate). Pinned readers start inside the job's state events — the
 * engine's TableStore resolves a scan synchronously when iteration starts, so the cut is taken exactly at that
 * transition — and are drained later (at once, or only after the job ended and garbage collection was asked for).
 * SQL readers run at every state too, and one more reads back to back from submission to the end (a new cut
 * every few milliseconds, so also between the publish's own steps): each of its reads is old or new, and once
 * one has seen the new data no later one sees the old. fast-check picks the mutation that makes "old" differ
 * from the backup, the reader schedule, the background reader's pause and where (if anywhere) the job is
 * cancelled.
 */

const STATES = ['PENDING', 'SNAPSHOTING', 'DOWNLOAD', 'DOWNLOADING', 'COMMIT', 'COMMITTING', 'FINISHED'] as const;
type State = (typeof STATES)[number];

const gates = new RestoreGates();

const canon = (rows: readonly (readonly Value[])[]): string =>
  JSON.stringify(rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).sort());

let f: BackupFixture;
let store: TableStore;
let tableId: number;
let ts: string;
/** The backup's content: what every finished restore leaves. */
let backupSql: string;
let backupPinned: string;
let round = 0;

async function sqlRead(): Promise<string> {
  return canon((await f.rows('SELECT id, v FROM d1.big')).map((r) => r.map((x) => x as Value)));
}

/** A reader that resolves its cut now (synchronously) and reads it when `drain` is called. */
function pinnedReader(): { drain: () => Promise<string> } {
  const it = store.scan(tableId);
  const first = it.next();
  return {
    drain: async () => {
      const rows: (readonly Value[])[] = [];
      for (let r = await first; r.done !== true; r = await it.next()) rows.push(...batchRows(r.value));
      return canon(rows);
    },
  };
}

beforeAll(async () => {
  const spy = vi.spyOn(TableStore, 'open');
  f = await openFixture({ openBroker: gates.open });
  store = await (spy.mock.results[0]!.value as Promise<TableStore>);
  spy.mockRestore();
  await f.exec('CREATE DATABASE d1');
  await f.exec('CREATE TABLE d1.big (id INT, v VARCHAR(20)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 4');
  for (let b = 0; b < 3; b++) {
    await f.exec(`INSERT INTO d1.big SELECT generate_series, concat('b${b}-', generate_series) FROM TABLE(generate_series(${b * 200}, ${b * 200 + 199}))`);
  }
  await f.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${path.join(f.dir, 'repo')}'`);
  expect((await runToEnd(f, 'BACKUP SNAPSHOT d1.s TO r1')).state).toBe('FINISHED');
  ts = (await f.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 's'"))[0]?.[1] ?? '';
  tableId = getTable(store.catalog, { dbId: getDatabase(store.catalog, 'd1')!.id, name: 'big' })!.id;
  backupSql = await sqlRead();
  backupPinned = await pinnedReader().drain();
}, 60_000);

afterAll(async () => {
  await f?.close();
});

const RESTORE = (): string => `RESTORE SNAPSHOT d1.s FROM r1 ON (big) PROPERTIES ("backup_timestamp" = "${ts}")`;

describe('readers during an in-place RESTORE', () => {
  it('every read returns exactly the old or exactly the new data, never an error (fast-check over interleavings)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          mutation: fc.constantFrom('insert', 'delete', 'truncate'),
          pinned: fc.array(fc.record({ at: fc.constantFrom(...STATES), drainAtOnce: fc.boolean() }), { maxLength: 6 }),
          sqlAt: fc.subarray([...STATES]),
          // Half of the runs finish; the others are cancelled while held, or in COMMIT (racing the publish).
          cancelAt: fc.constantFrom<State | undefined>(undefined, undefined, undefined, 'PENDING', 'DOWNLOADING', 'COMMIT'),
          // The background reader's pause between reads (it must not starve the job it watches).
          pauseMs: fc.constantFrom(5, 10, 20),
        }),
        async ({ mutation, pinned, sqlAt, cancelAt, pauseMs }) => {
          round++;
          if (mutation === 'insert') await f.exec(`INSERT INTO d1.big VALUES (${10_000 + round}, 'new${round}'), (7, 'dup${round}')`);
          if (mutation === 'delete') await f.exec(`DELETE FROM d1.big WHERE id % 7 = ${round % 7}`);
          if (mutation === 'truncate') await f.exec('TRUNCATE TABLE d1.big');
          const oldSql = await sqlRead();
          const oldPinned = await pinnedReader().drain();

          type Pinned = { at: State; drainAtOnce: boolean; reader: { drain: () => Promise<string> }; result?: Promise<string> };
          const readers: Pinned[] = [];
          const sqlReads: { at: State; result: Promise<string> }[] = [];
          const cancels: Promise<unknown>[] = [];
          const started = new Set<State>();
          const startAt = (state: State): void => {
            started.add(state);
            // One reader at every state drained only at the end, plus fast-check's extra ones.
            for (const p of [{ at: state, drainAtOnce: false }, ...pinned.filter((x) => x.at === state)]) {
              const r: Pinned = { ...p, reader: pinnedReader() };
              if (p.drainAtOnce) r.result = r.reader.drain();
              readers.push(r);
            }
            sqlReads.push({ at: state, result: sqlRead() });
            if (sqlAt.includes(state)) sqlReads.push({ at: state, result: sqlRead() });
            if (cancelAt === state && state === 'COMMIT') cancels.push(f.exec('CANCEL RESTORE FROM d1').catch((e: unknown) => e));
          };
          const off = f.engine.jobs.events.on('state', (e) => {
            if (e.kind === 'RESTORE' && e.to !== 'PENDING') startAt(e.to as State);
          });
          gates.resetMeta();
          gates.meta.close();
          gates.content.close();
          let jobId: number;
          const heldReads: string[] = [];
          // Reads back to back until the job has ended (bounded: the job ends within the test's timeout).
          let ended = false;
          const background: string[] = [];
          const backgroundLoop = (async () => {
            while (!ended) {
              background.push(await sqlRead());
              await new Promise((resolve) => setTimeout(resolve, pauseMs));
            }
          })();
          try {
            const submitted = await f.exec(RESTORE());
            jobId = Number(/job (\d+)/.exec(submitted.kind === 'ok' ? (submitted.message ?? '') : '')?.[1]);
            // Held in PENDING: the job waits for its meta file.
            await gates.meta.held();
            startAt('PENDING');
            heldReads.push(await sqlRead());
            if (cancelAt === 'PENDING') await f.exec('CANCEL RESTORE FROM d1');
            gates.meta.open();
            if (cancelAt !== 'PENDING') {
              // Held in DOWNLOADING: every data-file read waits.
              await gates.content.held();
              heldReads.push(await sqlRead());
              if (cancelAt === 'DOWNLOADING') await f.exec('CANCEL RESTORE FROM d1');
            }
            gates.content.open();
            await f.engine.jobs.waitForJob(jobId);
          } finally {
            gates.meta.open();
            gates.content.open();
            off();
            ended = true;
          }
          await backgroundLoop;
          await Promise.all(cancels);
          const job = await f.engine.jobs.waitForJob(jobId);
          const finished = job.state === 'FINISHED';
          // Old until the publish, new after it, never a mix or a step back.
          const firstNew = background.indexOf(backupSql);
          const expectedBackground = background.map((_, i) => (finished && firstNew >= 0 && i >= firstNew ? backupSql : oldSql));
          expect(background.length).toBeGreaterThan(1);
          expect(background.map((r) => (r === backupSql ? 'new' : r === oldSql ? 'old' : r))).toEqual(expectedBackground.map((r) => (r === backupSql ? 'new' : 'old')));
          if (cancelAt === undefined || cancelAt === 'PENDING' || cancelAt === 'DOWNLOADING') {
            expect([job.state, job.statusMsg]).toEqual(cancelAt === undefined ? ['FINISHED', ''] : ['CANCELLED', `user cancelled, current state: ${cancelAt}`]);
          }
          if (cancelAt === undefined) expect([...started]).toEqual([...STATES]);
          // Drain the rest only now: the publish has committed and garbage collection was requested meanwhile.
          for (const r of readers) r.result ??= r.reader.drain();
          for (const r of readers) {
            const want = finished && r.at === 'FINISHED' ? backupPinned : oldPinned;
            expect(await r.result, `pinned reader started at ${r.at}`).toBe(want);
          }
          for (const r of sqlReads) {
            const got = await r.result;
            if (!finished) expect(got, `SQL read at ${r.at}`).toBe(oldSql);
            else if (r.at === 'FINISHED') expect(got, 'SQL read at FINISHED').toBe(backupSql);
            else expect([oldSql, backupSql], `SQL read at ${r.at}`).toContain(got);
          }
          for (const got of heldReads) expect(got).toBe(oldSql);
          expect(await sqlRead()).toBe(finished ? backupSql : oldSql);
          // Every hold was released: the replaced files are collected.
          await store.collectGarbage();
          expect(listTrash(store.catalog)).toEqual([]);
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);

  it('the commit that publishes a restore runs with synchronous=FULL', async () => {
    await f.exec("INSERT INTO d1.big VALUES (99999, 'x')");
    const levels: number[] = [];
    const original = Catalog.prototype.durableTransaction;
    const spy = vi.spyOn(Catalog.prototype, 'durableTransaction').mockImplementation(function (this: Catalog, fn) {
      return original.call(this, () => {
        levels.push(this.db.pragma('synchronous', { simple: true }) as number);
        return fn();
      });
    });
    try {
      const job = await runToEnd(f, RESTORE());
      expect(job.state).toBe('FINISHED');
    } finally {
      spy.mockRestore();
    }
    // The job runner's FINISHED transition (outer) and commitIngest inside it: both at FULL (2), none at NORMAL (1).
    expect(levels).not.toContain(1);
    expect(levels.length).toBeGreaterThanOrEqual(2);
    expect(levels.every((l) => l === 2)).toBe(true);
    expect(await sqlRead()).toBe(backupSql);
  }, 60_000);
});
