/**
 * Child process of lifecycle-local.test.ts: opens the Engine on a data dir, runs a RESTORE (from the kept local
 * snapshot) and freezes the event loop the moment the job enters state `freezeAt`, printing `FROZEN <state>` so the
 * parent can `kill -9` it there. Prints `DONE` when the job ended before reaching that state.
 */
import fs from 'node:fs';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';

const [dataDir, sql, freezeAt] = process.argv.slice(2) as [string, string, string];
const say = (line: string): void => {
  fs.writeSync(1, `${line}\n`);
};
const engine = await Engine.open({ dataDir, backends: 3, logger: createLogger({ level: 'silent' }) });
engine.jobs.events.on('state', (e) => {
  if (e.to !== freezeAt) return;
  say(`FROZEN ${e.to}`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});
const result = await engine.session({ database: 'd1' }).execute(sql);
const id = result.kind === 'ok' ? Number(/job (\d+)/.exec(result.message ?? '')?.[1]) : NaN;
const job = await engine.jobs.waitForJob(id);
say(`DONE ${job.state}`);
await engine.close();
