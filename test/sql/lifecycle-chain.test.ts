import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBroker } from '../../src/brokers/open-broker.ts';
import { readRepositoryIndex } from '../../src/repository/repository-index.ts';
import { Repository } from '../../src/repository/repository.ts';
import { readAll } from '../../src/repository/repository-types.ts';
import { openFixture, type BackupFixture } from './backup-fixture.ts';
import { backupTo, restoreTable, tableRows } from './lifecycle-helpers.ts';

/**
 * A chain of 10 snapshots (a full one, then 9 incremental ones, each after one partition changed): dropping any of
 * them — first, middle, last, or all but one in a random order — leaves every other snapshot restorable with
 * exactly the data it had. The chain is built once; every scenario works on its own copy of the repository.
 */

const CHAIN = 10;

interface Link {
  readonly label: string;
  readonly ts: string;
  readonly rows: string[];
}

let f: BackupFixture;
let chain: Link[] = [];
let copies = 0;

beforeAll(async () => {
  f = await openFixture();
  await f.exec('CREATE DATABASE d1');
  await f.exec('USE d1');
  const parts = Array.from({ length: CHAIN }, (_, i) => `PARTITION p${i} VALUES LESS THAN ('${(i + 1) * 100}')`).join(', ');
  await f.exec(`CREATE TABLE t (k INT, v BIGINT) DUPLICATE KEY(k) PARTITION BY RANGE(k) (${parts}) DISTRIBUTED BY HASH(k) BUCKETS 2 PROPERTIES ("replication_num" = "1")`);
  await f.exec(`INSERT INTO t VALUES ${Array.from({ length: CHAIN * 20 }, (_, i) => `(${i * 5}, ${i})`).join(', ')}`);
  await f.exec(`CREATE REPOSITORY base WITH BROKER ON LOCATION 'file://${f.dir}/base'`);
  for (let i = 0; i < CHAIN; i++) {
    if (i > 0) await f.exec(`INSERT INTO t VALUES (${(i - 1) * 100 + 1}, ${1000 + i})`); // one partition changes
    const label = `c${i}`;
    const props = i === 0 ? '' : ' PROPERTIES ("type" = "incremental")';
    const { ts } = await backupTo(f, `BACKUP SNAPSHOT d1.${label} TO base ON (t)${props}`, label, 'base');
    chain.push({ label, ts, rows: await tableRows(f, 'd1', 't') });
  }
}, 240_000);

afterAll(async () => {
  await f.close();
});

/** A fresh repository holding a copy of the chain. */
async function copyOfChain(): Promise<string> {
  const name = `copy${++copies}`;
  const from = path.join(f.dir, 'base', '__starrocks_repository_base');
  const to = path.join(f.dir, name, `__starrocks_repository_${name}`);
  fs.cpSync(from, to, { recursive: true });
  await f.exec(`CREATE REPOSITORY ${name} WITH BROKER ON LOCATION 'file://${f.dir}/${name}'`);
  return name;
}

/** Cheap "restorable": every file of every remaining snapshot resolves to bytes with its md5. */
async function allResolve(repoName: string, remaining: readonly string[]): Promise<void> {
  const r = await repository(repoName);
  const index = await readRepositoryIndex(r);
  expect(index.snapshots.map((s) => s.label).sort()).toEqual([...remaining].sort());
  for (const s of index.snapshots) {
    for (const file of s.files) {
      const at = index.resolve(file);
      expect(at, `${s.label}: ${file.storedName}`).not.toBeNull();
      const bytes = await readAll(await r.broker.read(`${r.root}/${at}`));
      expect(createHash('md5').update(bytes).digest('hex')).toBe(file.md5);
    }
  }
}

/** A second, read-only view of a repository of the fixture (the engine's own stays untouched). */
async function repository(name: string): Promise<Repository> {
  return Repository.reopen(await openBroker(`file://${f.dir}/${name}`, {}), name, { createTime: 0, readOnly: true });
}

async function restoresExactly(repo: string, link: Link): Promise<void> {
  const target = `r_${repo}_${link.label}`;
  const job = await restoreTable(f, { repo, label: link.label, ts: link.ts, db: 'd1', table: 't', target });
  expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
  expect(await tableRows(f, target, 't')).toEqual(link.rows);
  await f.exec(`DROP DATABASE ${target}`);
}

describe('a chain of 10 incremental snapshots', () => {
  it('the chain shares content: each incremental uploads only its changed partition', async () => {
    const index = await readRepositoryIndex(await repository('base'));
    for (const s of index.snapshots.filter((x) => x.label !== 'c0')) {
      expect(s.files.filter((x) => !x.referenced).length, s.label).toBeLessThanOrEqual(3);
    }
  });

  it('dropping the first, a middle and the last snapshot leaves the others restorable with their data', async () => {
    const repo = await copyOfChain();
    const remaining = chain.map((l) => l.label);
    for (const drop of ['c0', 'c5', 'c9']) {
      await f.exec(`DROP SNAPSHOT ${drop} ON ${repo}`);
      remaining.splice(remaining.indexOf(drop), 1);
      await allResolve(repo, remaining);
    }
    for (const link of chain.filter((l) => remaining.includes(l.label))) await restoresExactly(repo, link);
  }, 240_000);

  it('dropping all but one in a random order (fast-check) leaves the survivor restorable at every step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(chain.map((l) => l.label), { minLength: CHAIN, maxLength: CHAIN }), async (order) => {
        const repo = await copyOfChain();
        const remaining = [...order];
        const survivor = remaining.pop() as string;
        for (const drop of order.slice(0, -1)) {
          await f.exec(`DROP SNAPSHOT ${drop} ON ${repo}`);
          remaining.splice(remaining.indexOf(drop), 1);
          await allResolve(repo, [...remaining, survivor]);
        }
        await restoresExactly(repo, chain.find((l) => l.label === survivor) as Link);
      }),
      { numRuns: 2 },
    );
  }, 240_000);
});
