import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Broker, WriteOptions } from '../../../src/brokers/broker.ts';
import { openBroker } from '../../../src/brokers/open-broker.ts';
import { Engine, type EngineOptions, type Session } from '../../../src/engine.ts';
import { createLogger } from '../../../src/logging/logger.ts';
import { ManualClock } from '../../../src/util/clock.ts';
import { Gate } from '../gated-broker.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/**
 * A library engine on a temp data dir driven by a ManualClock (UTC: tests set TZ), one backend, quiet logs; `writes`
 * gates every write to repositories, so a test can hold a BACKUP in UPLOADING while simulated time moves on.
 */
export interface ScheduleFixture {
  readonly dir: string;
  readonly dataDir: string;
  readonly clock: ManualClock;
  readonly writes: Gate;
  engine: Engine;
  session: Session;
  rows(sql: string): Promise<(string | null)[][]>;
  exec(sql: string): Promise<string>;
  /** Move simulated time to `ms` and wait until the schedules have done everything that came due. */
  advanceTo(ms: number): Promise<void>;
  reopen(options?: Partial<EngineOptions>): Promise<void>;
  close(): Promise<void>;
}

export async function openScheduleFixture(start = Date.UTC(2026, 0, 1), options: Partial<EngineOptions> = {}): Promise<ScheduleFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-sched-'));
  const dataDir = path.join(dir, 'data');
  const clock = new ManualClock(start);
  const writes = new Gate();
  const gated = async (location: string, properties: Readonly<Record<string, string>>): Promise<Broker> => {
    const inner = await openBroker(location, properties);
    return new Proxy(inner, {
      get: (target, prop, receiver) => {
        // uploadFiles: the batch form file repositories offer; its options are its second argument.
        if (prop === 'uploadFiles' && typeof target.uploadFiles === 'function') {
          const fn = target.uploadFiles.bind(target);
          return async (items: Parameters<typeof fn>[0], o?: Parameters<typeof fn>[1]) => {
            await writes.pass(o?.signal);
            return fn(items, o);
          };
        }
        if (prop === 'write' || prop === 'uploadFile') {
          const fn = (target[prop] as (...a: unknown[]) => Promise<unknown>).bind(target);
          return async (a: unknown, b: unknown, o?: WriteOptions) => {
            await writes.pass(o?.signal);
            return fn(a, b, o);
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
  const open = (o: Partial<EngineOptions>): Promise<Engine> =>
    Engine.open({ dataDir, backends: 1, clock, logger: createLogger({ level: 'silent' }), openBroker: gated, ...options, ...o });
  const f: ScheduleFixture = {
    dir,
    dataDir,
    clock,
    writes,
    engine: await open({}),
    session: undefined as unknown as Session,
    async rows(sql) {
      const r = await f.session.execute(sql);
      if (r.kind !== 'rows') throw new Error(`${sql} returned OK`);
      return r.rows.map((row) => [...row]);
    },
    async exec(sql) {
      const r = await f.session.execute(sql);
      return r.kind === 'ok' ? (r.message ?? '') : '';
    },
    async advanceTo(ms) {
      clock.advance(ms - clock.now());
      await f.engine.schedules.idle();
    },
    async reopen(o = {}) {
      await f.engine.close();
      f.engine = await open(o);
      f.session = f.engine.session();
    },
    async close() {
      writes.open();
      await f.engine.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  f.session = f.engine.session();
  return f;
}

/** A database with one single-tablet table and one row; `repo` a file repository under the fixture's dir. */
export async function seed(f: ScheduleFixture, db: string): Promise<void> {
  await f.exec(`CREATE DATABASE ${db}`);
  await f.exec(`CREATE TABLE ${db}.t (id INT, v VARCHAR(20)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")`);
  await f.exec(`INSERT INTO ${db}.t VALUES (1, 'a')`);
}

export async function fileRepo(f: ScheduleFixture, name: string): Promise<void> {
  await f.exec(`CREATE REPOSITORY ${name} WITH BROKER ON LOCATION 'file://${path.join(f.dir, name)}'`);
}

/** Labels SHOW SNAPSHOT lists as OK in `repo`, sorted. */
export async function okSnapshots(f: ScheduleFixture, repo: string, prefix = ''): Promise<string[]> {
  return (await f.rows(`SHOW SNAPSHOT ON ${repo}`))
    .filter((r) => r[2] === 'OK' && (r[0] ?? '').startsWith(prefix))
    .map((r) => r[0] ?? '')
    .sort();
}

/** The label a run of `schedule` at `ms` backs up to (UTC). */
export function label(schedule: string, ms: number): string {
  return `${schedule}_${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
}
