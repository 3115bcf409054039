import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openFixture, type BackupFixture } from '../sql/backup-fixture.ts';
import { runToEnd } from '../sql/restore-dataset.ts';

/**
 * A RESTORE of 1,500 tablets in a process that may open only 256 files: every fan-out of the job engine is bounded
 * (it used to read every staged tablet at once and end CANCELLED with `EMFILE: too many open files`).
 */

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fd-limit-child.ts');
const TABLETS = 1500;

let f: BackupFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('RESTORE under a file descriptor limit', () => {
  it(`restores ${TABLETS} tablets with ulimit -n 256`, async () => {
    const fx = await openFixture();
    f = fx;
    const parts = Array.from({ length: 15 }, (_, i) => `PARTITION p${i} VALUES LESS THAN ('${(i + 1) * 100}')`).join(', ');
    await fx.exec('CREATE DATABASE d1');
    await fx.exec(
      `CREATE TABLE d1.t (id INT, v VARCHAR(8)) DUPLICATE KEY(id) PARTITION BY RANGE(id) (${parts}) ` +
        `DISTRIBUTED BY HASH(id) BUCKETS ${TABLETS / 15} PROPERTIES ("replication_num" = "1")`,
    );
    await fx.exec("INSERT INTO d1.t SELECT generate_series, 'x' FROM TABLE(generate_series(0, 1499))");
    const location = `file://${path.join(fx.dir, 'repo')}`;
    await fx.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION '${location}'`);
    const backup = await runToEnd(fx, 'BACKUP SNAPSHOT d1.s TO r1');
    expect([backup.state, backup.statusMsg]).toEqual(['FINISHED', '']);
    const ts = (await fx.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 's'"))[0]?.[1] ?? '';

    const target = path.join(fx.dir, 'restored');
    const script = `ulimit -n 256 && exec "${process.execPath}" --import tsx "${CHILD}" "${target}" "${location}" s "${ts}"`;
    const out = await new Promise<string>((resolve, reject) => {
      execFile('sh', ['-c', script], { timeout: 110_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`${error.message}\n${stdout}\n${stderr}`));
        else resolve(stdout);
      });
    });
    const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { state: string; msg: string; rows: string[] | null; limit: string };
    expect(result.limit).toMatch(/^Max open files\s+256\s+256/);
    expect([result.state, result.msg]).toEqual(['FINISHED', '']);
    expect(result.rows).toEqual(['1500', String((1499 * 1500) / 2)]);
  }, 120_000);
});
