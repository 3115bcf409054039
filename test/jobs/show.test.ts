import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, formatDateTime } from '../../src/util/clock.ts';
import { insertJob, updateJobState } from '../../src/catalog/jobs-write.ts';
import { ensureTasks, completeTask, recordTaskAttemptError } from '../../src/catalog/jobs-tasks.ts';
import { markFileDone } from '../../src/catalog/jobs-files.ts';
import { listJobs } from '../../src/catalog/jobs-read.ts';
import type { Catalog } from '../../src/catalog/catalog.ts';
import { SHOW_BACKUP_COLUMNS, SHOW_RESTORE_COLUMNS, showBackupRows, showRestoreRows } from '../../src/jobs/show.ts';
import { openJobsCatalog, tempDir } from './helpers.ts';

describe('SHOW BACKUP / SHOW RESTORE rows', () => {
  let dir: string;
  let catalog: Catalog;
  afterEach(() => {
    catalog.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const setup = (): ManualClock => {
    dir = tempDir();
    const clock = new ManualClock(Date.UTC(2026, 2, 4, 5, 6, 7));
    catalog = openJobsCatalog(path.join(dir, 'c.db'), clock);
    return clock;
  };

  it('has StarRocks column names and order', () => {
    setup();
    expect(SHOW_BACKUP_COLUMNS).toHaveLength(14);
    expect(SHOW_RESTORE_COLUMNS).toHaveLength(18);
    expect(SHOW_BACKUP_COLUMNS.join(',')).toBe(
      'JobId,SnapshotName,DbName,State,BackupObjs,CreateTime,SnapshotFinishedTime,UploadFinishedTime,FinishedTime,UnfinishedTasks,Progress,TaskErrMsg,Status,Timeout',
    );
    expect(SHOW_RESTORE_COLUMNS.join(',')).toBe(
      'JobId,Label,Timestamp,DbName,State,AllowLoad,ReplicationNum,RestoreObjs,CreateTime,MetaPreparedTime,SnapshotFinishedTime,DownloadFinishedTime,FinishedTime,UnfinishedTasks,Progress,TaskErrMsg,Status,Timeout',
    );
  });

  it('formats a backup in SNAPSHOTING and UPLOADING, NULL for unset times, Timeout in seconds', () => {
    const clock = setup();
    const job = insertJob(catalog, {
      id: 10010,
      kind: 'BACKUP',
      dbId: 7,
      dbName: 'sales',
      label: 'snap1',
      repoName: 'repo',
      state: 'PENDING',
      properties: { timeout: '3600' },
      spec: { objects: [{ table: 't1', partitions: [] }, { table: 't2', partitions: ['p1', 'p2'] }], type: 'FULL' },
      createTime: clock.now(),
      timeoutMs: 3_600_500,
    });
    const move = (from: string, to: string, checkpoint = false) =>
      updateJobState(catalog, job.id, {
        from,
        to,
        checkpoint,
        done: false,
        stamp: to === 'UPLOAD_SNAPSHOT' ? 'snapshotFinishedTime' : null,
        at: clock.now(),
      });
    move('PENDING', 'SNAPSHOTING');
    const [s1, s2] = ensureTasks(catalog, job.id, [
      { taskKey: 'snapshot:501@1', kind: 'snapshot', backendId: 1, tabletId: 501, payload: {} },
      { taskKey: 'snapshot:502@2', kind: 'snapshot', backendId: 2, tabletId: 502, payload: {} },
    ]);
    recordTaskAttemptError(catalog, s2!.id, 'disk busy');
    let row = showBackupRows(catalog, { dbId: 7 })[0]!;
    expect(row).toEqual([
      '10010',
      'snap1',
      'sales',
      'SNAPSHOTING',
      '[t1], [t2 PARTITION (p1, p2)]',
      formatDateTime(clock.now()),
      null,
      null,
      null,
      '501=1, 502=2',
      '',
      '[502: disk busy]',
      '[OK]',
      '3600',
    ]);
    completeTask(catalog, s1!.id, { dir: '/x', files: [] });
    completeTask(catalog, s2!.id, { dir: '/y', files: [] });
    clock.advance(5000);
    move('SNAPSHOTING', 'UPLOAD_SNAPSHOT', true);
    move('UPLOAD_SNAPSHOT', 'UPLOADING');
    const [u] = ensureTasks(catalog, job.id, [
      {
        taskKey: 'upload:1:0',
        kind: 'upload',
        backendId: 1,
        tabletId: null,
        payload: {},
        files: [
          { tabletId: 501, name: 'a.dat', size: 10, md5: 'm1' },
          { tabletId: 502, name: 'b.dat', size: 20, md5: 'm2' },
        ],
      },
    ]);
    markFileDone(catalog, u!.id, 501, 'a.dat');
    row = showBackupRows(catalog)[0]!;
    expect(row[3]).toBe('UPLOADING');
    expect(row[6]).toBe(formatDateTime(clock.now()));
    expect(row[9]).toBe(`${u!.id}=1`);
    expect(row[10]).toBe(`[${u!.id}: 1/2]`);
    expect(row[11]).toBe('');
    expect(showBackupRows(catalog, { dbId: 8 })).toEqual([]);
    expect(showRestoreRows(catalog)).toEqual([]);
  });

  it('shows only the last job per database, keeping history', () => {
    const clock = setup();
    const base = {
      kind: 'BACKUP',
      dbName: 'd',
      label: 'l',
      repoName: 'r',
      state: 'PENDING',
      properties: {},
      spec: { objects: [], type: 'FULL' },
      createTime: clock.now(),
      timeoutMs: 86_400_000,
    };
    const first = insertJob(catalog, { ...base, dbId: 1 });
    updateJobState(catalog, first.id, {
      from: 'PENDING',
      to: 'CANCELLED',
      checkpoint: true,
      done: true,
      stamp: 'finishedTime',
      at: clock.now(),
      status: { code: 'COMMON_ERROR', msg: 'user cancelled' },
    });
    insertJob(catalog, { ...base, dbId: 2 });
    const restore = insertJob(catalog, {
      ...base,
      dbId: 1,
      kind: 'RESTORE',
      label: 'snap',
      spec: {
        objects: [
          { table: 'orders', partitions: ['p1', 'p2'], alias: null },
          { table: 'users', partitions: ['users'], alias: null },
        ],
        timestamp: '2026-03-04-05-06-07-123',
        allowLoad: false,
        replicationNum: 1,
      },
    });
    expect(showBackupRows(catalog).map((r) => r[2] === 'd' && r[0])).toEqual([String(first.id + 1)]);
    const rows = showRestoreRows(catalog);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual([
      String(restore.id),
      'snap',
      '2026-03-04-05-06-07-123',
      'd',
      'PENDING',
      'false',
      '1',
      'orders PARTITIONS [p1, p2], users',
      formatDateTime(clock.now()),
      null,
      null,
      null,
      null,
      '',
      '',
      '',
      '[OK]',
      '86400',
    ]);
    expect(listJobs(catalog, { dbId: 1 }).map((j) => j.kind)).toEqual(['RESTORE', 'BACKUP']);
  });
});
