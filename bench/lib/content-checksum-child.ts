/**
 * One load → BACKUP → RESTORE round of ~`mib` MiB in a process of its own, with the tablevault sources found under
 * `<srcRoot>/src` (bench/content-checksum.bench.ts runs it on this tree and on the tree before content checksums, in
 * the same run). Prints one JSON line: load, backup and restore times in ms and the bytes of data files.
 *
 *   node --import tsx bench/lib/content-checksum-child.ts <srcRoot> <workDir> <mib>
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [srcRoot, work, mibText] = process.argv.slice(2) as [string, string, string];
const { Engine } = (await import(pathToFileURL(path.join(srcRoot, 'src', 'engine.ts')).href)) as typeof import('../../src/engine.ts');
const { createLogger } = (await import(pathToFileURL(path.join(srcRoot, 'src', 'logging', 'logger.ts')).href)) as typeof import('../../src/logging/logger.ts');
const logger = createLogger({ level: 'warn' });
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });

type EngineInstance = Awaited<ReturnType<typeof Engine.open>>;

async function job(session: ReturnType<EngineInstance['session']>, engine: EngineInstance, sql: string): Promise<number> {
  const t0 = performance.now();
  const submitted = await session.execute(sql);
  const jobId = Number(/job (\d+)/.exec(submitted.kind === 'ok' ? (submitted.message ?? '') : '')?.[1]);
  const done = await engine.jobs.waitForJob(jobId);
  if (done.state !== 'FINISHED') throw new Error(`${sql} ended ${done.state}: ${done.statusMsg}`);
  return performance.now() - t0;
}

const repo = `file://${path.join(work, 'repo')}`;
let loadMs = 0;
let backupMs = 0;
let ts = '';
const source = await Engine.open({ dataDir: path.join(work, 'data'), backends: 3, logger });
try {
  const s = source.session();
  await s.execute(
    'CREATE DATABASE bench; CREATE TABLE bench.t (k BIGINT, s VARCHAR(256), d DECIMAL(12,2), x DOUBLE) DUPLICATE KEY(k) ' +
      'DISTRIBUTED BY HASH(k) BUCKETS 16 PROPERTIES ("replication_num" = "1")',
  );
  const rows = Math.max(8_000, Math.round((Number(mibText) * 2 ** 20) / 290));
  const per = Math.ceil(rows / 8);
  const t0 = performance.now();
  for (let i = 0; i < 8; i++) {
    await s.execute(
      `INSERT INTO bench.t SELECT generate_series, repeat(md5(generate_series), 8), generate_series / 100, generate_series * 0.5 ` +
        `FROM TABLE(generate_series(${i * per}, ${(i + 1) * per - 1}))`,
    );
  }
  loadMs = performance.now() - t0;
  await s.execute(`CREATE REPOSITORY r WITH BROKER ON LOCATION '${repo}'`);
  backupMs = await job(s, source, 'BACKUP SNAPSHOT bench.snap TO r');
  const shown = await s.execute("SHOW SNAPSHOT ON r WHERE SNAPSHOT = 'snap'");
  ts = String(shown.kind === 'rows' ? shown.rows[0]?.[1] : '');
} finally {
  await source.close();
}
let bytes = 0;
for (const e of fs.readdirSync(path.join(work, 'data'), { withFileTypes: true, recursive: true })) {
  if (e.isFile() && e.name.endsWith('.dat')) bytes += fs.statSync(path.join(e.parentPath, e.name)).size;
}
const target = await Engine.open({ dataDir: path.join(work, 'restored'), backends: 3, logger });
let restoreMs = 0;
try {
  const s = target.session();
  await s.execute(`CREATE REPOSITORY r WITH BROKER ON LOCATION '${repo}'`);
  restoreMs = await job(s, target, `RESTORE SNAPSHOT bench.snap FROM r PROPERTIES ("backup_timestamp" = "${ts}", "replication_num" = "1")`);
} finally {
  await target.close();
}
fs.rmSync(work, { recursive: true, force: true });
fs.writeSync(1, `${JSON.stringify({ loadMs, backupMs, restoreMs, bytes })}\n`);
