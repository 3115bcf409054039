/**
 * Child process of kill-restart.test.ts: opens the Engine on a data dir, submits one statement (BACKUP / RESTORE)
 * and, when the job reaches the requested point, prints `AT <state> <jobId>` and freezes its event loop so the
 * parent can `kill -9` it exactly there. Points: a state name (on entering it) or `<STATE>+file` (after the first
 * file of that state is journaled). A point ending in `~` (`SNAPSHOTING~`) only reports and runs on: the parent
 * kills after a delay of its choice, at whatever point the job has reached.
 */
import fs from 'node:fs';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';

const [dataDir, sql, point] = process.argv.slice(2) as [string, string, string];
const say = (line: string): void => {
  fs.writeSync(1, `${line}\n`);
};
const freeze = (state: string, jobId: number): void => {
  say(`AT ${state} ${jobId}`);
  // Block the event loop for good: nothing after this point runs until the parent kills the process.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
};

const engine = await Engine.open({ dataDir, backends: 3, logger: createLogger({ level: 'silent' }) });
const [state, afterFile] = point.endsWith('+file') ? [point.slice(0, -5), true] : [point, false];
engine.jobs.events.on('state', (e) => {
  if (!afterFile && e.to === state) freeze(e.to, e.jobId);
  if (!afterFile && `${e.to}~` === state) say(`AT ${e.to} ${e.jobId}`);
});
engine.jobs.events.on('progress', (e) => {
  if (afterFile && e.state === state && e.filesDone > 0) freeze(e.state, e.jobId);
});
const result = await engine.session().execute(sql);
say(`SUBMITTED ${result.kind === 'ok' ? (result.message ?? '') : ''}`);
await new Promise(() => undefined);
