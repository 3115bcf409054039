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
