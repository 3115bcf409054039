import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listPartitions } from '../../src/catalog/ops/list-partitions.ts';
import { TableStore } from '../../src/storage/table-store.ts';
import { insert, listFiles, makeTable, openStore, readAll, sortRows, tempDir } from './helpers.ts';
import fs from 'node:fs';

const here = path.dirname(fileURLToPath(import.meta.url));

function runUntilFlushedThenKill(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/crash-load.ts'), ...args], {
      cwd: path.join(here, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('FLUSHED')) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}

describe('crash safety', () => {
  it('kill -9 between file write and catalog commit: previous version intact, orphans swept at reopen', async () => {
    const dir = tempDir();
    let store = await TableStore.open(dir, { backends: 3 });
    const t = makeTable(store, 'c', { buckets: 4 });
    const pid = listPartitions(store.catalog, t.id)[0]!.id;
    await insert(store, t.id, [[1, 1n], [2, 2n]]);
    await store.close();
    const before = TableStoreFiles(dir);
    expect(before.length).toBeGreaterThan(0);

    await runUntilFlushedThenKill([dir, String(t.id), String(pid), 'tmp']);

    // The killed process left durable, unreferenced segment files (and a temp file) behind.
    const left = TableStoreFiles(dir);
    expect(left.filter((f) => !before.includes(f)).length).toBeGreaterThan(3);

    store = await TableStore.open(dir, { backends: 3 });
    expect(store.sweep.orphanFiles).toBeGreaterThan(3);
    expect(store.sweep.tempFiles).toBeGreaterThanOrEqual(1);
    expect(sortRows(await readAll(store, t.id))).toEqual(sortRows([[1, 1n], [2, 2n]]));
    expect(listPartitions(store.catalog, t.id)[0]!.visibleVersion).toBe(2);
    expect(TableStoreFiles(dir)).toEqual(before);
    // The store keeps working after recovery.
    await insert(store, t.id, [[3, 3n]]);
    expect(await readAll(store, t.id)).toHaveLength(3);
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a failure thrown just before the commit exposes nothing (in-process)', async () => {
    const fx = await openStore(2);
    const t = makeTable(fx.store, 'x', { replicationNum: 2 });
    await insert(fx.store, t.id, [[1, 1n]]);
    const pid = listPartitions(fx.store.catalog, t.id)[0]!.id;
    const load = fx.store.beginLoad(t.id);
    await load.write(pid, [[2, 2n]]);
    await load.flush();
    // Simulate the catalog refusing the commit (e.g. disk full): the partition vanished.
    fx.store.dropPartition(pid);
    await expect(load.commit()).rejects.toThrow();
    await fx.close();
  });
});

function TableStoreFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((d) => d.startsWith('be')).flatMap((b) => listFiles(path.join(dir, b)).map((f) => path.join(b, f)));
}
