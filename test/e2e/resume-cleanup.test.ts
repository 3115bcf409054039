import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, expect, it } from 'vitest';

import { listTree, openFixture, seedDatabase, type BackupFixture } from '../sql/backup-fixture.ts';
import { runToEnd } from '../sql/restore-dataset.ts';

/**
 * A BACKUP killed with kill -9 in the middle of its uploads resumes in the next process: it recognises its own label
 * reservation (the marker written at submission), and when it finishes no temp file of the interrupted uploads —
 * `<file>.part` of the checksum protocol, `.tvtmp-…` of the local adapter — is left in the repository.
 */

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kill-restart-child.ts');

let f: BackupFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

it('a backup resumed after kill -9 keeps its label and leaves no temp files in the repository', async () => {
  const fx = await openFixture();
  f = fx;
  await seedDatabase(fx);
  await fx.exec("INSERT INTO d1.t SELECT generate_series % 200, concat('g', generate_series) FROM TABLE(generate_series(1, 2000))");
  const repo = path.join(fx.dir, 'repo');
  await fx.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${repo}'`);
  const rows = await fx.rows('SELECT * FROM d1.t ORDER BY id, v');
  await fx.engine.close();

  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, fx.dataDir, 'BACKUP SNAPSHOT d1.resumed TO r1', 'UPLOADING+file'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const jobId = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`child never reached UPLOADING: ${out}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /AT \S+ (\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`child exited (${String(code)}) early: ${out}`)));
  });
  child.kill('SIGKILL');
  await exited;

  // What uploads cut by the kill leave in a tablet directory (made certain here: the kill may land between files).
  const labelDir = path.join(repo, '__starrocks_repository_r1', '__ss_resumed');
  const markers = fs.readdirSync(labelDir).filter((n) => n.startsWith('__label_'));
  expect(markers).toHaveLength(1);
  const tabletDir = path.dirname(path.join(labelDir, listTree(labelDir).find((p) => p.startsWith('__ss_content/')) ?? ''));
  fs.writeFileSync(path.join(tabletDir, '.tvtmp-0123456789ab-99_0.dat.part'), 'cut by kill -9');
  fs.writeFileSync(path.join(tabletDir, '99_1.dat.part'), 'cut by kill -9');

  await fx.reopen();
  const job = await fx.engine.jobs.waitForJob(jobId);
  expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
  const tree = listTree(labelDir);
  expect(tree.filter((p) => p.endsWith('.part') || path.basename(p).startsWith('.tvtmp-'))).toEqual([]);
  expect(fs.readdirSync(labelDir).filter((n) => n.startsWith('__label_'))).toEqual(markers);
  const [[, ts, status]] = (await fx.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 'resumed'")) as [[string, string, string]];
  expect(status).toBe('OK');
  await fx.exec('DROP TABLE d1.t');
  expect((await runToEnd(fx, `RESTORE SNAPSHOT d1.resumed FROM r1 ON (t) PROPERTIES ("backup_timestamp" = "${ts}")`)).state).toBe('FINISHED');
  expect(await fx.rows('SELECT * FROM d1.t ORDER BY id, v')).toEqual(rows);
}, 90_000);
