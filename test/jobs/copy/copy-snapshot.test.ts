import { afterEach, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/brokers/broker.ts';
import { FaultInjectingBroker } from '../../../src/brokers/fault-injecting-broker.ts';
import { openBroker } from '../../../src/brokers/open-broker.ts';
import { isSqlError } from '../../../src/errors/index.ts';
import { fileRepo, okSnapshots, openScheduleFixture, seed, type ScheduleFixture } from '../schedules/helpers.ts';

/**
 * COPY SNAPSHOT typed by hand, on real file repositories: the copy is a job SHOW COPY follows, the destination lists
 * the same snapshot afterwards, a second copy of the label is refused, and CANCEL COPY of a copy stuck in flight
 * leaves nothing in the destination (the label is free again and a new copy succeeds).
 */
process.env['TZ'] = 'UTC';

let f: ScheduleFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

/** Under `stuck`, the first write never answers until its job is cancelled; later ones work. */
let stuckBroker: FaultInjectingBroker | undefined;
const stuckOnce = async (location: string, properties: Readonly<Record<string, string>>): Promise<Broker> => {
  const inner = await openBroker(location, properties);
  if (!location.includes('stuck')) return inner;
  stuckBroker = new FaultInjectingBroker(inner, { hangCalls: { op: 'write', from: 1, count: 1 } });
  return stuckBroker;
};

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    if (isSqlError(error)) return error.message;
    throw error;
  }
  throw new Error('expected an error');
}

async function lastCopy(fx: ScheduleFixture, repo: string): Promise<(string | null)[]> {
  const [row] = await fx.rows(`SHOW COPY ON ${repo}`);
  const done = await fx.engine.jobs.waitForJob(Number(row?.[0]));
  expect(done.done).toBe(true);
  return (await fx.rows(`SHOW COPY ON ${repo}`))[0] ?? [];
}

describe('COPY SNAPSHOT', () => {
  it('copies a snapshot as a job SHOW COPY follows, and refuses a second copy of the label', async () => {
    f = await openScheduleFixture(Date.UTC(2026, 0, 1), { openBroker: stuckOnce });
    await seed(f, 'd1');
    await fileRepo(f, 'r');
    await fileRepo(f, 'dr');
    await f.exec('BACKUP SNAPSHOT d1.s1 TO r');
    const [b] = await f.rows('SHOW BACKUP FROM d1');
    await f.engine.jobs.waitForJob(Number(b?.[0]));

    expect(await f.exec('COPY SNAPSHOT s1 FROM r TO dr')).toMatch(/^COPY job \d+ submitted; follow it with SHOW COPY ON dr$/);
    const row = await lastCopy(f, 'dr');
    const [[, ts]] = (await f.rows('SHOW SNAPSHOT ON r')) as [[string, string]];
    expect(row.slice(1, 7)).toEqual(['s1', ts, 'd1', 'r', 'dr', 'FINISHED']);
    const [[bytes]] = (await f.rows("SELECT bytes FROM information_schema.backup_jobs WHERE kind = 'BACKUP'")) as [[string]];
    // Every file copied (the destination held none), all of them, verified; the status OK.
    expect([row[10], row[11], row[12], row[14]]).toEqual(['2/2', `${bytes}/${bytes}`, '0', '[OK]']);
    expect(await okSnapshots(f, 'dr')).toEqual(['s1']);
    expect(await f.rows('SHOW SNAPSHOT ON dr')).toEqual(await f.rows('SHOW SNAPSHOT ON r'));
    expect(await errorOf(f.exec('COPY SNAPSHOT s1 FROM r TO dr'))).toBe('Snapshot with name \'s1\' already exist in repository dr');
    expect(await errorOf(f.exec('COPY SNAPSHOT nope FROM r TO dr'))).toBe('Snapshot does not exist in repository r: nope');
  });

  it('copies what an incremental snapshot references, so the destination alone restores it', async () => {
    f = await openScheduleFixture(Date.UTC(2026, 0, 1), { openBroker: stuckOnce });
    await seed(f, 'd1');
    await fileRepo(f, 'r');
    await fileRepo(f, 'dr');
    await fileRepo(f, 'dr2');
    const backup = async (sql: string): Promise<void> => {
      await f?.exec(sql);
      const [b] = (await f?.rows('SHOW BACKUP FROM d1')) ?? [];
      expect((await f?.engine.jobs.waitForJob(Number(b?.[0])))?.state).toBe('FINISHED');
    };
    await backup('BACKUP SNAPSHOT d1.s1 TO r');
    await f.exec("INSERT INTO d1.t VALUES (2, 'b')");
    await backup('BACKUP SNAPSHOT d1.s2 TO r PROPERTIES ("type" = "incremental")');
    const bytesOf = async (kind: string, label: string, repo: string): Promise<number> =>
      Number((await f?.rows(`SELECT bytes FROM information_schema.backup_jobs WHERE kind = '${kind}' AND label = '${label}' AND repository = '${repo}'`))?.[0]?.[0]);
    const [full, incremental] = [await bytesOf('BACKUP', 's1', 'r'), await bytesOf('BACKUP', 's2', 'r')];
    // s2 uploaded only the new row's files and references s1's for the rest.
    expect(incremental).toBeGreaterThan(0);
    expect(incremental).toBeLessThan(full + incremental);
    const restoreFrom = async (repo: string): Promise<void> => {
      const ts = (await f?.rows(`SHOW SNAPSHOT ON ${repo} WHERE SNAPSHOT = 's2'`))?.[0]?.[1];
      await f?.exec('DROP TABLE IF EXISTS d1.t FORCE');
      await f?.exec(`RESTORE SNAPSHOT d1.s2 FROM ${repo} ON (t) PROPERTIES ("backup_timestamp" = "${ts}", "replication_num" = "1")`);
      const [restore] = (await f?.rows('SHOW RESTORE FROM d1')) ?? [];
      expect((await f?.engine.jobs.waitForJob(Number(restore?.[0])))?.state).toBe('FINISHED');
      expect(await f?.rows('SELECT id, v FROM d1.t ORDER BY id')).toEqual([['1', 'a'], ['2', 'b']]);
    };

    // Referenced content read from s1's directory in r; dr holds none of it: all of it is copied.
    await f.exec('COPY SNAPSHOT s2 FROM r TO dr');
    const row = await lastCopy(f, 'dr');
    expect([row[6], row[14]]).toEqual(['FINISHED', '[OK]']);
    // More than s2's own files: what it references too (not all of s1: s1 also has files s2 replaced).
    const copied = await bytesOf('COPY', 's2', 'dr');
    expect(copied).toBeGreaterThan(incremental);
    expect(copied).toBeLessThanOrEqual(full + incremental);
    expect(await okSnapshots(f, 'dr')).toEqual(['s2']);
    await restoreFrom('dr');

    // s1 dropped from r (its files s2 references move to r's object area): the copy reads them there.
    await f.exec('DROP SNAPSHOT s1 ON r');
    await f.exec('COPY SNAPSHOT s2 FROM r TO dr2');
    expect((await lastCopy(f, 'dr2'))[6]).toBe('FINISHED');
    expect(await bytesOf('COPY', 's2', 'dr2')).toBe(copied);
    await restoreFrom('dr2');
    // And the copied objects belong to s2 in dr like any reference: dropping s2 there leaves the repository empty.
    await f.exec('DROP SNAPSHOT s2 ON dr');
    expect(await f.rows("DROP SNAPSHOT ON dr WHERE TIMESTAMP <= '9999-12-31 00:00:00' DRY RUN")).toEqual([['(total)', null, '0', '0', '0']]);
  });

  it('CANCEL COPY of a copy stuck in flight leaves nothing in the destination', async () => {
    f = await openScheduleFixture(Date.UTC(2026, 0, 1), { openBroker: stuckOnce });
    await seed(f, 'd1');
    await fileRepo(f, 'r');
    await fileRepo(f, 'stuck');
    await f.exec('BACKUP SNAPSHOT d1.s1 TO r');
    const [b] = await f.rows('SHOW BACKUP FROM d1');
    await f.engine.jobs.waitForJob(Number(b?.[0]));
    await f.exec('COPY SNAPSHOT s1 FROM r TO stuck');
    // Wait (bounded) until the copy's first file write is in flight and hangs there.
    for (let i = 0; i < 500 && (stuckBroker?.stats.calls['write'] ?? 0) < 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(stuckBroker?.stats.calls['write']).toBe(1);
    expect((await f.rows('SHOW COPY ON stuck'))[0]?.[6]).toBe('COPYING');
    await f.exec('CANCEL COPY ON stuck');
    const cancelled = await lastCopy(f, 'stuck');
    expect([cancelled[6], cancelled[14]]).toEqual(['CANCELLED', '[COMMON_ERROR, msg: user cancelled, current state: COPYING]']);
    // Nothing of the label is left in the destination: not listed, and its name is free for a new copy.
    expect(await f.rows('SHOW SNAPSHOT ON stuck')).toEqual([]);
    await f.exec('COPY SNAPSHOT s1 FROM r TO stuck');
    const again = await lastCopy(f, 'stuck');
    expect([again[6], again[10], again[14]]).toEqual(['FINISHED', '2/2', '[OK]']);
    expect(await f.rows('SHOW SNAPSHOT ON stuck')).toEqual(await f.rows('SHOW SNAPSHOT ON r'));
  });
});
