import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/util/clock.ts';
import { isSqlError } from '../../src/errors/index.ts';
import { lastJobOfDb, listJobs } from '../../src/catalog/jobs-read.ts';
import { jobFileTotals } from '../../src/catalog/jobs-files.ts';
import { canTransition, getJobKind } from '../../src/jobs/state-machine.ts';
import type { SubmitRequest } from '../../src/jobs/scheduler.ts';
import { FakeWorld, openHarness, settle, tempDir, type Harness } from './helpers.ts';

/**
 * Model-based test of the scheduler + BACKUP/RESTORE state machines: random interleavings of submissions, cancels,
 * task completions and failures, clock jumps past timeouts, and restarts (close the catalog, reopen, recover).
 */

const DBS = [1, 2] as const;
const TIMEOUT_MS = 600_000;

interface Real {
  dir: string;
  clock: ManualClock;
  world: FakeWorld;
  h: Harness;
  illegal: string[];
  offState: (() => void) | null;
}

type Model = Record<string, never>;

function request(kind: 'BACKUP' | 'RESTORE', dbId: number, n: number): SubmitRequest {
  return {
    kind,
    dbId,
    dbName: `db${dbId}`,
    label: `l${n}`,
    repoName: 'repo',
    timeoutMs: TIMEOUT_MS,
    properties: {},
    spec:
      kind === 'BACKUP'
        ? { objects: [{ table: 't', partitions: [] }], type: 'FULL' }
        : { objects: [{ table: 't', partitions: ['t'] }], timestamp: 'ts', allowLoad: false, replicationNum: 1 },
  };
}

function watchStates(r: Real): void {
  r.offState?.();
  r.offState = r.h.scheduler.events.on('state', (e) => {
    if (!canTransition(getJobKind(e.kind), e.from, e.to)) r.illegal.push(`${e.kind} ${e.jobId}: ${e.from} -> ${e.to}`);
  });
}

function checkInvariants(r: Real): void {
  expect(r.world.violations).toEqual([]);
  expect(r.illegal).toEqual([]);
  const jobs = listJobs(r.h.catalog);
  for (const db of DBS) expect(jobs.filter((j) => j.dbId === db && !j.done).length).toBeLessThanOrEqual(1);
  for (const j of jobs) {
    const kind = getJobKind(j.kind);
    expect(kind.states).toContain(j.state);
    expect(j.done).toBe(j.state === kind.finished || j.state === kind.cancelled);
  }
  for (const [key, n] of r.world.transfers) expect(n, `file ${key} transferred twice`).toBe(1);
}

let labels = 0;

class Submit implements fc.AsyncCommand<Model, Real> {
  readonly kind: 'BACKUP' | 'RESTORE';
  readonly db: number;
  constructor(kind: 'BACKUP' | 'RESTORE', db: number) {
    this.kind = kind;
    this.db = db;
  }
  check = (): boolean => true;
  async run(_m: Model, r: Real): Promise<void> {
    const busy = (() => {
      const last = lastJobOfDb(r.h.catalog, this.db);
      return last !== null && !last.done;
    })();
    const result = await r.h.scheduler.submit(request(this.kind, this.db, ++labels)).then(
      (job) => job,
      (e: unknown) => e,
    );
    if (busy) {
      expect(isSqlError(result)).toBe(true);
      expect((result as Error).message).toBe('Can only run one backup or restore job of a database at same time');
    } else {
      expect(result).toMatchObject({ kind: this.kind, state: 'PENDING' });
    }
    await settle(r.h.scheduler, r.world);
    checkInvariants(r);
  }
  toString = (): string => `submit(${this.kind}, db${this.db})`;
}

class Cancel implements fc.AsyncCommand<Model, Real> {
  readonly kind: 'BACKUP' | 'RESTORE';
  readonly db: number;
  constructor(kind: 'BACKUP' | 'RESTORE', db: number) {
    this.kind = kind;
    this.db = db;
  }
  check = (): boolean => true;
  async run(_m: Model, r: Real): Promise<void> {
    const last = lastJobOfDb(r.h.catalog, this.db);
    const result = await r.h.scheduler.cancel(this.kind, this.db).then(
      (job) => job,
      (e: unknown) => e,
    );
    if (last === null || last.kind !== this.kind) {
      expect((result as Error).message).toBe(
        this.kind === 'BACKUP' ? 'No backup job is currently running' : 'No restore is currently running',
      );
    } else if (last.done) {
      expect((result as Error).message).toBe(
        `Failed to cancel job: Job with label ${last.label} can not be cancelled. state: ${last.state}`,
      );
    } else {
      expect(result).toMatchObject({ id: last.id, state: 'CANCELLED' });
    }
    await settle(r.h.scheduler, r.world);
    checkInvariants(r);
  }
  toString = (): string => `cancel(${this.kind}, db${this.db})`;
}

class Release implements fc.AsyncCommand<Model, Real> {
  readonly index: number;
  readonly outcome: 'ok' | 'transient' | 'permanent';
  constructor(index: number, outcome: 'ok' | 'transient' | 'permanent') {
    this.index = index;
    this.outcome = outcome;
  }
  check = (): boolean => true;
  async run(_m: Model, r: Real): Promise<void> {
    r.world.release(this.index, this.outcome);
    await settle(r.h.scheduler, r.world);
    checkInvariants(r);
  }
  toString = (): string => `release(${this.index}, ${this.outcome})`;
}

class ReleaseMany implements fc.AsyncCommand<Model, Real> {
  readonly count: number;
  constructor(count: number) {
    this.count = count;
  }
  check = (): boolean => true;
  async run(_m: Model, r: Real): Promise<void> {
    for (let i = 0; i < this.count; i++) {
      r.world.release(0, 'ok');
      await settle(r.h.scheduler, r.world);
    }
    checkInvariants(r);
  }
  toString = (): string => `releaseMany(${this.count})`;
}

class Advance implements fc.AsyncCommand<Model, Real> {
  readonly ms: number;
  constructor(ms: number) {
    this.ms = ms;
  }
  check = (): boolean => true;
  async run(_m: Model, r: Real): Promise<void> {
    r.clock.advance(this.ms);
    await settle(r.h.scheduler, r.world);
    checkInvariants(r);
  }
  toString = (): string => `advance(${this.ms})`;
}

class InfoFailure implements fc.AsyncCommand<Model, Real> {
  check = (): boolean => true;
  async run(_m: Model, r: Real): Promise<void> {
    r.world.infoFailures++;
  }
  toString = (): string => 'infoFailure()';
}

class Restart implements fc.AsyncCommand<Model, Real> {
  readonly loseSnapshots: boolean;
  constructor(loseSnapshots: boolean) {
    this.loseSnapshots = loseSnapshots;
  }
  check = (): boolean => true;
  async run(_m: Model, r: Real): Promise<void> {
    await r.h.scheduler.close();
    r.h.catalog.close();
    expect(r.world.gates).toEqual([]);
    if (this.loseSnapshots) r.world.dirs.clear();
    r.h = openHarness(path.join(r.dir, 'catalog.db'), r.clock, r.world);
    watchStates(r);
    const report = await r.h.scheduler.recover();
    for (const d of report.ownedSnapshotDirs) expect(r.world.dirs.has(d), `owned dir ${d} exists`).toBe(true);
    await settle(r.h.scheduler, r.world);
    checkInvariants(r);
  }
  toString = (): string => `restart(${this.loseSnapshots ? 'snapshots lost' : ''})`;
}

const kindArb = fc.constantFrom<'BACKUP' | 'RESTORE'>('BACKUP', 'RESTORE');
const dbArb = fc.constantFrom(...DBS);
const commands = [
  fc.tuple(kindArb, dbArb).map(([k, d]) => new Submit(k, d)),
  fc.tuple(kindArb, dbArb).map(([k, d]) => new Submit(k, d)),
  fc.tuple(kindArb, dbArb).map(([k, d]) => new Cancel(k, d)),
  fc.nat(20).map((i) => new Release(i, 'ok')),
  fc.nat(20).map((i) => new Release(i, 'ok')),
  fc.integer({ min: 1, max: 8 }).map((n) => new ReleaseMany(n)),
  fc.integer({ min: 1, max: 8 }).map((n) => new ReleaseMany(n)),
  fc.tuple(fc.nat(20), fc.constantFrom<'transient' | 'permanent'>('transient', 'transient', 'transient', 'permanent')).map(
    ([i, o]) => new Release(i, o),
  ),
  fc.constantFrom(1000, 1000, 200_000, 650_000).map((ms) => new Advance(ms)),
  fc.constant(new InfoFailure()),
  fc.boolean().map((lose) => new Restart(lose)),
];

describe('job engine model', () => {
  it('never reaches an illegal state, never runs two jobs in a database, always ends FINISHED or CANCELLED, resumes without redoing files', async () => {
    await fc.assert(
      fc.asyncProperty(fc.tuple(kindArb, kindArb), fc.commands(commands, { maxCommands: 50, size: 'medium' }), async (first, cmds) => {
        const dir = tempDir();
        const clock = new ManualClock();
        const world = new FakeWorld(true);
        world.tabletsPerJob = 3;
        const r: Real = { dir, clock, world, h: openHarness(path.join(dir, 'catalog.db'), clock, world), illegal: [], offState: null };
        watchStates(r);
        try {
          // Every run starts with one job per database, so the commands act on work in flight.
          await new Submit(first[0], 1).run({}, r);
          await new Submit(first[1], 2).run({}, r);
          await fc.asyncModelRun(() => ({ model: {} as Model, real: r }), cmds);
          // Drain: let everything through, retry UPLOAD_INFO on the clock, until every job is done.
          world.openAll();
          for (let i = 0; i < 50 && listJobs(r.h.catalog).some((j) => !j.done); i++) {
            await settle(r.h.scheduler, world);
            clock.advance(1000);
          }
          checkInvariants(r);
          const jobs = listJobs(r.h.catalog);
          for (const j of jobs) {
            expect(['FINISHED', 'CANCELLED']).toContain(j.state);
            const files = jobFileTotals(r.h.catalog, j.id);
            const moved = [...world.transfers.keys()].filter((k) => k.startsWith(`${j.id}/`)).length;
            if (j.state === 'FINISHED') {
              expect(j.statusCode).toBe('OK');
              expect(files.filesDone).toBe(files.filesTotal);
              expect(moved).toBe(files.filesTotal);
              expect(files.filesTotal).toBe(world.tabletsPerJob * world.filesPerTablet);
              if (j.kind === 'BACKUP') expect(world.infos.has(j.id)).toBe(true);
              else expect(world.published.has(j.id)).toBe(true);
            } else {
              expect(j.statusCode).not.toBe('OK');
              expect(world.infos.has(j.id) || world.published.has(j.id)).toBe(false);
            }
            if (j.kind === 'RESTORE') expect(world.invisible.has(j.id)).toBe(false);
          }
          // Every local snapshot was released: by the jobs, or it was lost with a "machine".
          expect([...world.dirs]).toEqual([]);
          expect(world.publishedInTransaction.every(Boolean)).toBe(true);
        } finally {
          await r.h.scheduler.close();
          r.h.catalog.close();
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 50 },
    );
  });
});
