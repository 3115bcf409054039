/**
 * One BACKUP or RESTORE in a process of its own (bench/jobs.bench.ts), so its peak RSS is its own and nothing else
 * the bench does shares its event loop. Prints one JSON line: the job's time from the statement to FINISHED, the
 * process's peak RSS, CPU time, and (backup) the snapshot's timestamp.
 *
 * Plain JavaScript running the compiled engine (dist/, what users run; the bench builds it when stale): under tsx the
 * loader and the on-the-fly compiled sources added ~60 MiB to every figure of peak RSS.
 *
 *   node bench/lib/job-child.js backup  <dataDir> <location> <label> <propertiesJson>   (repository r_<label>)
 *   node bench/lib/job-child.js restore <dataDir> <location> <label> <propertiesJson> <timestamp>
 */
import fs from 'node:fs';
import { Engine } from '../../dist/src/engine.js';
import { createLogger } from '../../dist/src/logging/logger.js';

const [mode, dataDir, location, label, propertiesJson, timestamp] = process.argv.slice(2);
const properties = JSON.parse(propertiesJson);
const props = Object.entries(properties).map(([k, v]) => `"${k}" = "${v}"`).join(', ');
const engine = await Engine.open({ dataDir, backends: 3, logger: createLogger({ level: 'warn' }) });
try {
  const session = engine.session();
  // One repository per label (`r_<label>`): a data dir backed up to several repositories keeps each.
  const repo = `r_${label}`;
  await session.execute(`CREATE REPOSITORY ${repo} WITH BROKER ON LOCATION '${location}'${props === '' ? '' : ` PROPERTIES (${props})`}`);
  const sql =
    mode === 'backup'
      ? `BACKUP SNAPSHOT bench.${label} TO ${repo}`
      : `RESTORE SNAPSHOT bench.${label} FROM ${repo} PROPERTIES ("backup_timestamp" = "${timestamp ?? ''}", "replication_num" = "1")`;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const submitted = await session.execute(sql);
  const jobId = Number(/job (\d+)/.exec(submitted.kind === 'ok' ? (submitted.message ?? '') : '')?.[1]);
  const job = await engine.jobs.waitForJob(jobId);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (job.state !== 'FINISHED') throw new Error(`${mode} ended ${job.state}: ${job.statusMsg}`);
  let ts = '';
  if (mode === 'backup') {
    const shown = await session.execute(`SHOW SNAPSHOT ON ${repo} WHERE SNAPSHOT = '${label}'`);
    ts = String(shown.kind === 'rows' ? shown.rows[0]?.[1] : '');
  }
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
  fs.writeSync(1, `${JSON.stringify({ ms, rssPeakMiB: hwm, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, ts })}\n`);
} finally {
  await engine.close();
}
