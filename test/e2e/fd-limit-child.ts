/**
 * Child process of fd-limit.test.ts, started under `ulimit -n <n>`: opens an Engine on a fresh data dir, restores
 * one snapshot of a file repository and prints one JSON line with the job's end state and the restored row count.
 */
import fs from 'node:fs';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';

const [dataDir, location, label, timestamp] = process.argv.slice(2) as [string, string, string, string];
const engine = await Engine.open({ dataDir, backends: 3, logger: createLogger({ level: 'silent' }) });
try {
  const session = engine.session();
  await session.execute(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION '${location}'`);
  const r = await session.execute(
    `RESTORE SNAPSHOT d1.${label} FROM r1 PROPERTIES ("backup_timestamp" = "${timestamp}", "replication_num" = "1")`,
  );
  const id = Number(/job (\d+)/.exec(r.kind === 'ok' ? (r.message ?? '') : '')?.[1]);
  const job = await engine.jobs.waitForJob(id);
  const count = job.state === 'FINISHED' ? await session.execute('SELECT COUNT(*), SUM(id) FROM d1.t') : null;
  const limit = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files')) ?? '';
  fs.writeSync(1, `${JSON.stringify({ state: job.state, msg: job.statusMsg, rows: count?.kind === 'rows' ? count.rows[0] : null, limit })}\n`);
} finally {
  await engine.close();
}
