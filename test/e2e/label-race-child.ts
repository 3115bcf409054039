/**
 * Child process of label-race.test.ts: one tablevault engine on its own data dir, with one database whose rows name
 * it, attached to shared repositories given by the parent. It prints `READY`, then runs commands read from stdin:
 *
 *   BACKUP <repo> <label> <delayMs>   after delayMs, BACKUP SNAPSHOT <db>.<label> TO <repo>; prints `OK <jobId>` or
 *                                     `ERR <message>`, and after OK, `DONE <state> <statusMsg>` when the job ends
 *   QUIT                              close the engine and exit
 *
 * Args: dataDir, database, then JSON `[{ name, location, properties }]` of the repositories to create.
 */
import fs from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';

const [dataDir, db, reposJson] = process.argv.slice(2) as [string, string, string];
const say = (line: string): void => {
  fs.writeSync(1, `${line.replace(/\n/g, ' ')}\n`);
};

const engine = await Engine.open({ dataDir, backends: 1, logger: createLogger({ level: 'silent' }) });
const session = engine.session();
await session.execute(`CREATE DATABASE ${db}`);
await session.execute(`CREATE TABLE ${db}.t (id INT, who VARCHAR(20)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2`);
await session.execute(`INSERT INTO ${db}.t VALUES (1, '${db}'), (2, '${db}'), (3, '${db}')`);
for (const r of JSON.parse(reposJson) as { name: string; location: string; properties: Record<string, string> }[]) {
  const props = Object.entries(r.properties).map(([k, v]) => `"${k}" = "${v}"`);
  await session.execute(`CREATE REPOSITORY ${r.name} WITH BROKER ON LOCATION '${r.location}'${props.length > 0 ? ` PROPERTIES (${props.join(', ')})` : ''}`);
}
say('READY');

async function backup(repo: string, label: string, delayMs: number): Promise<void> {
  await sleep(delayMs);
  let jobId: number;
  try {
    const result = await engine.session().execute(`BACKUP SNAPSHOT ${db}.${label} TO ${repo}`);
    jobId = Number(/job (\d+)/.exec(result.kind === 'ok' ? (result.message ?? '') : '')?.[1]);
  } catch (error) {
    say(`ERR ${(error as Error).message}`);
    return;
  }
  say(`OK ${jobId}`);
  const job = await engine.jobs.waitForJob(jobId);
  say(`DONE ${job.state} ${job.statusMsg}`);
}

for await (const line of createInterface({ input: process.stdin })) {
  const [command, ...args] = line.trim().split(' ');
  if (command === 'BACKUP') void backup(args[0] ?? '', args[1] ?? '', Number(args[2] ?? 0));
  if (command === 'QUIT') break;
}
await engine.close();
process.exit(0);
