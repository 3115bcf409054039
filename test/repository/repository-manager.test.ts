import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { openBroker } from '../../src/brokers/open-broker.ts';
import { openCatalog, type Catalog } from '../../src/catalog/catalog.ts';
import { CatalogRepositoryStore } from '../../src/catalog/repositories.ts';
import { isSqlError } from '../../src/errors/index.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { RepositoryManager, SHOW_REPOSITORIES_COLUMNS, type RepositoryManagerOptions } from '../../src/repository/repository-manager.ts';
import { SecretBox } from '../../src/repository/secret-box.ts';
import { ManualClock, formatDateTime } from '../../src/util/clock.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';
import { tempDir } from './helpers.ts';

const T0 = new Date(2026, 0, 2, 3, 4, 5).getTime();
const fastS3 = (location: string, properties: Readonly<Record<string, string>>) =>
  openBroker(location, properties, { s3: { maxAttempts: 1, connectionTimeoutMs: 2000 } });

let dir: string;
let cleanup: () => void;
let clock: ManualClock;
let catalogs: Catalog[];
let managers: RepositoryManager[];

async function manager(name = 'catalog.db', extra: Partial<RepositoryManagerOptions> = {}): Promise<RepositoryManager> {
  const catalog = openCatalog(path.join(dir, name));
  catalogs.push(catalog);
  const m = new RepositoryManager({
    store: new CatalogRepositoryStore(catalog),
    secrets: await SecretBox.open(path.join(dir, 'secret.key')),
    clock,
    openBroker: fastS3,
    ...extra,
  });
  managers.push(m);
  return m;
}

async function sqlMessage(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    expect(isSqlError(error)).toBe(true);
    expect(error).toMatchObject({ errno: 1064, sqlState: 'HY000' });
    return (error as Error).message;
  }
  throw new Error('expected a SqlError');
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  clock = new ManualClock(T0);
  catalogs = [];
  managers = [];
});
afterEach(async () => {
  for (const m of managers) await m.close();
  for (const c of catalogs) c.close();
  cleanup();
});

describe('RepositoryManager', () => {
  it('CREATE REPOSITORY on file:// persists and shows the 7 StarRocks columns', async () => {
    const m = await manager();
    const loc = `file://${dir}/backups/`;
    const info = await m.create({ name: 'repo1', location: loc, readOnly: false });
    expect(info.id).toBeGreaterThanOrEqual(10001);
    expect(fs.existsSync(path.join(dir, 'backups/__starrocks_repository_repo1/__repo_info'))).toBe(true);
    expect(SHOW_REPOSITORIES_COLUMNS).toEqual(['RepoId', 'RepoName', 'CreateTime', 'IsReadOnly', 'Location', 'Broker', 'ErrMsg']);
    expect(m.showRows()).toEqual([[String(info.id), 'repo1', formatDateTime(T0), 'false', `file://${dir}/backups`, '', null]]);
    await m.create({ name: 'ro', location: `file://${dir}/other`, readOnly: true, brokerName: 'hdfs_broker' });
    expect(m.showRows()[1]!.slice(1, 6)).toEqual(['ro', formatDateTime(T0), 'true', `file://${dir}/other`, 'hdfs_broker']);
    const repo = await m.get('ro');
    expect(repo.readOnly).toBe(true);
  });

  it('reports StarRocks messages for bad CREATE / DROP', async () => {
    const m = await manager('c.db', { knownBrokers: ['broker1'] });
    const loc = `file://${dir}/b`;
    expect(await sqlMessage(m.create({ name: '', location: loc }))).toBe('Getting analyzing error. Detail message: Repository does not empty.');
    expect(await sqlMessage(m.create({ name: '1repo', location: loc }))).toBe("Getting analyzing error. Detail message: Incorrect repository name '1repo'.");
    expect(await sqlMessage(m.create({ name: 'r', location: '' }))).toBe('Getting analyzing error. Detail message: You must specify a location on the repository.');
    expect(await sqlMessage(m.create({ name: 'r', location: loc, brokerName: 'nope' }))).toBe('broker does not exist: nope');
    await m.create({ name: 'r', location: loc, brokerName: 'broker1' });
    expect(await sqlMessage(m.create({ name: 'r', location: loc }))).toBe('Failed to create repository: repository with same name already exist: r');
    expect(await sqlMessage(m.create({ name: 'x', location: 'ftp://host/p' }))).toMatch(/^Failed to create repository: Invalid repository location "ftp:\/\/host\/p"/);
    expect(await sqlMessage(m.create({ name: 'x', location: 's3://bucket/p', properties: { 'aws.s3.endpoint': 'http://127.0.0.1:1', 'aws.s3.access_key': 'a', 'aws.s3.secret_key': 'b', 'aws.s3.region': 'us-east-1' } }))).toMatch(
      /^Failed to create repository: /,
    );
    expect(m.has('x')).toBe(false);
    expect(await sqlMessage(m.drop('nope'))).toBe('Getting analyzing error. Detail message: Repository does not exist.');
    m.setInUseCheck((name) => name === 'r');
    expect(await sqlMessage(m.drop('r'))).toBe('Backup or restore job is running on this repository. Can not drop it');
    m.setInUseCheck(() => false);
    await m.drop('r');
    expect(m.list()).toEqual([]);
    // DROP never deletes remote data.
    expect(fs.existsSync(path.join(dir, 'b/__starrocks_repository_r/__repo_info'))).toBe(true);
    expect(await sqlMessage(m.get('r'))).toBe('Repository r does not exist');
  });

  it('a second instance re-attaches and adopts create_time; state survives a reopen', async () => {
    const loc = `file://${dir}/shared`;
    const a = await manager('a.db');
    await a.create({ name: 'repo', location: loc });
    const repoA = await a.get('repo');
    await repoA.writeMeta('snap1', { format: 'tablevault-backup-meta', version: 1, database: { id: 1, name: 'd', properties: {} }, tables: [] });

    clock.advance(86_400_000);
    const b = await manager('b.db');
    const info = await b.create({ name: 'repo', location: loc });
    expect(info.createTime).toBe(Math.floor(T0 / 1000) * 1000);
    expect(await (await b.get('repo')).listSnapshots()).toEqual(['snap1']);

    // Reopen instance A from its catalog: lazily reconnects without rewriting __repo_info.
    const before = fs.statSync(path.join(dir, 'shared/__starrocks_repository_repo/__repo_info')).mtimeMs;
    await a.close();
    catalogs[0]!.close();
    const again = await manager('a.db');
    expect(again.list().map((r) => r.name)).toEqual(['repo']);
    expect(await (await again.get('repo')).listSnapshots()).toEqual(['snap1']);
    expect(fs.statSync(path.join(dir, 'shared/__starrocks_repository_repo/__repo_info')).mtimeMs).toBe(before);
  });

  it('pings periodically on the clock and shows ErrMsg with its time', async () => {
    const m = await manager('p.db', { pingIntervalMs: 60_000 });
    await m.create({ name: 'p', location: `file://${dir}/pp` });
    m.start();
    fs.rmSync(path.join(dir, 'pp/__starrocks_repository_p'), { recursive: true });
    clock.advance(60_000);
    await vi.waitFor(() => expect(m.info('p')!.errMsg).toBe(`${formatDateTime(T0 + 60_000)}: remote path does not exist: file://${dir}/pp/__starrocks_repository_p`));
    fs.mkdirSync(path.join(dir, 'pp/__starrocks_repository_p'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'pp/__starrocks_repository_p/__repo_info'), '{}');
    clock.advance(60_000);
    await vi.waitFor(() => expect(m.info('p')!.errMsg).toBeNull());
    await m.stop();
    // The outcome is persisted.
    fs.rmSync(path.join(dir, 'pp'), { recursive: true });
    await m.pingAll();
    const reopened = await manager('p.db');
    expect(reopened.showRows()[0]![6]).toMatch(/: remote path does not exist: /);
  });
});

describe('RepositoryManager on s3rver, secrets', () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3Server({ bucket: 'tv-repo-mgr' });
  });
  afterAll(async () => {
    await s3.close();
  });

  it('never shows, logs or persists a credential in plain text', async () => {
    const SECRET = 'Sup3r-Secret-Value-0xC0FFEE';
    const WRONG_ACCESS = 'AKIA-wrong-key-never-shown';
    const lines: string[] = [];
    const logger = createLogger({
      level: 'trace',
      destination: new Writable({
        write(chunk: Buffer, _e, cb) {
          lines.push(chunk.toString());
          cb();
        },
      }),
    });
    const m = await manager('s.db', { logger });
    // s3rver checks the access key id but not signatures: any secret works, a wrong key id is refused.
    const props = { ...s3.properties, 'aws.s3.secret_key': SECRET };
    await m.create({ name: 's3repo', location: `${s3.location}/backups/`, properties: props });
    const repo = await m.get('s3repo');
    await repo.writeMeta('l1', { format: 'tablevault-backup-meta', version: 1, database: { id: 1, name: 'd', properties: {} }, tables: [] });
    expect(await repo.snapshotInfos()).toEqual([{ snapshot: 'l1', timestamp: '', status: 'ERROR: no snapshot' }]);
    // Failure paths too: bad credentials, unreachable endpoint.
    const denied = await sqlMessage(m.create({ name: 'denied', location: `${s3.location}/x`, properties: { ...props, 'aws.s3.access_key': WRONG_ACCESS } }));
    expect(denied).toMatch(/^Failed to create repository: Access denied/);
    const bad = { ...props, 'aws.s3.endpoint': 'http://127.0.0.1:1' };
    const message = await sqlMessage(m.create({ name: 'bad', location: `${s3.location}/x`, properties: bad })) + denied;
    expect(message).toMatch(/^Failed to create repository: /);
    await m.pingAll();

    const rows = JSON.stringify(m.showRows());
    expect(rows).toContain(`s3://tv-repo-mgr/backups`);
    await managers[0]!.close();
    catalogs[0]!.close();
    for (const secret of [SECRET, WRONG_ACCESS]) {
      expect(rows).not.toContain(secret);
      expect(message).not.toContain(secret);
      expect(lines.join('')).not.toContain(secret);
      for (const f of fs.readdirSync(dir).filter((n) => n.startsWith('s.db'))) {
        expect(fs.readFileSync(path.join(dir, f)).includes(secret)).toBe(false);
      }
    }
    expect(lines.length).toBeGreaterThan(0);
    expect((fs.statSync(path.join(dir, 'secret.key')).mode & 0o777).toString(8)).toBe('600');

    // Reopen: the sealed properties reconnect to the same bucket.
    const again = await manager('s.db');
    expect(await (await again.get('s3repo')).listSnapshots()).toEqual(['l1']);
  });
});
