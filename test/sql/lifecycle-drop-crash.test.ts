import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { listTree, openFixture, type BackupFixture } from './backup-fixture.ts';
import { backupTo, createRepositorySql, restoreTable, seedPartitionedTable, tableRows } from './lifecycle-helpers.ts';
import { killChildAt } from '../support/kill-child.ts';

/**
 * kill -9 during DROP SNAPSHOT: a child process runs the DROP with the repository storage wrapped so that it freezes
 * right after its N-th change; the parent kills it with SIGKILL and reopens the data dir. Every snapshot must then be
 * either listed and restorable with its exact rows, or gone; the next expiry round finishes the drop, and the
 * repository is left holding only what the survivors need (dropping them too leaves nothing behind).
 */

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lifecycle-drop-crash-child.ts');

/** Run `sql` in the child until its `n`-th repository change, then SIGKILL it. False when it finished first. */
async function killAfterChange(dataDir: string, sql: string, n: number): Promise<boolean> {
  return (await killChildAt(CHILD, [dataDir, sql, String(n)], /FROZEN \d+/)).match !== null;
}

let f: BackupFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('kill -9 during DROP SNAPSHOT', () => {
  it('leaves every snapshot listed and restorable or gone; the next round collects the rest', async () => {
    const fx = await openFixture();
    f = fx;
    await seedPartitionedTable(fx, 6);
    await fx.exec(createRepositorySql('file', fx, 'r1'));
    const expected = new Map<string, { ts: string; rows: string[] }>();
    const snap = async (label: string, type: string): Promise<void> => {
      const { ts } = await backupTo(fx, `BACKUP SNAPSHOT d1.${label} TO r1 ON (t) PROPERTIES ("type" = "${type}")`, label, 'r1');
      expected.set(label, { ts, rows: await tableRows(fx, 'd1', 't') });
    };
    await snap('s0', 'full');
    await fx.exec("INSERT INTO t VALUES (1, 'changed')");
    await snap('s1', 'incremental');
    await fx.exec("INSERT INTO t VALUES (12, 'changed')");
    await snap('s2', 'incremental');

    let restores = 0;
    const consistent = async (): Promise<string[]> => {
      const listed = (await fx.rows('SHOW SNAPSHOT ON r1')).map((r) => r[0] as string).sort();
      for (const label of listed) {
        const e = expected.get(label);
        if (e === undefined) throw new Error(`unexpected snapshot ${label}`);
        expect((await fx.rows(`SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = '${label}'`))[0]?.slice(1, 3)).toEqual([e.ts, 'OK']);
        const target = `chk${++restores}`;
        const job = await restoreTable(fx, { repo: 'r1', label, ts: e.ts, db: 'd1', table: 't', target });
        expect([label, job.state, job.statusMsg]).toEqual([label, 'FINISHED', '']);
        expect(await tableRows(fx, target, 't')).toEqual(e.rows);
      }
      return listed;
    };

    const drop = "DROP SNAPSHOT ON r1 WHERE SNAPSHOT IN ('s0', 's1')";
    // First crash: right after the first change (the first drop marker): s0 is gone, s1 and s2 are whole.
    await fx.engine.close();
    expect(await killAfterChange(fx.dataDir, drop, 1)).toBe(true);
    await fx.reopen();
    expect(await consistent()).toEqual(['s1', 's2']);

    // Second crash, a re-run of the DROP killed deeper in (markers, info files, some moves of content s2 needs).
    await fx.engine.close();
    expect(await killAfterChange(fx.dataDir, drop, 4)).toBe(true);
    await fx.reopen();
    expect(await consistent()).toEqual(['s2']);

    // The next expiry round finishes the interrupted drop: the dropped directories are gone, s2 verifies whole.
    await fx.engine.expireSnapshots();
    const root = path.join(fx.dir, 'r1', '__starrocks_repository_r1');
    expect(listTree(root).filter((k) => k.startsWith('__ss_s0') || k.startsWith('__ss_s1'))).toEqual([]);
    expect((await fx.rows('SHOW SNAPSHOT ON r1')).map((r) => r[0])).toEqual(['s2']);
    const verify = await fx.rows(`VERIFY SNAPSHOT s2 ON r1 PROPERTIES ("mode" = "checksum")`);
    expect(verify.map((r) => r[0])).toEqual(['OK']);
    // Nothing leaked: dropping the survivor leaves no snapshot directory and no shared object.
    await fx.exec('DROP SNAPSHOT s2 ON r1');
    expect(listTree(root).filter((k) => k.startsWith('__ss_') || k.startsWith('__tv_objects'))).toEqual([]);
    // Two child processes (each loads the engine through tsx) and three restores: ~15 s idle, ~55 s on a loaded
    // 2-core machine, so more than the default 60 s budget.
  }, 180_000);
});
