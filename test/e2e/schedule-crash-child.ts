/**
 * Child process of schedule-crash.test.ts: opens the Engine on a data dir whose backup schedule is due at the
 * ManualClock's start, and freezes its event loop at the requested point of the run so the parent can `kill -9` it
 * exactly there:
 * - `decided`: the run is recorded (durably) and its BACKUP not yet submitted;
 * - `submitted`: the BACKUP job is in the journal and running, the run not yet told its job id.
 */
import fs from 'node:fs';
import { Engine } from '../../src/engine.ts';
import type { JobScheduler } from '../../src/jobs/scheduler.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { ManualClock } from '../../src/util/clock.ts';

const [dataDir, start, point] = process.argv.slice(2) as [string, string, string];
const say = (line: string): void => {
  fs.writeSync(1, `${line}\n`);
};
const freeze = (what: string): void => {
  say(`AT ${what}`);
  // Block the event loop for good: nothing after this point runs until the parent kills the process.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
};

process.env['TZ'] = 'UTC';
const clock = new ManualClock(Number(start));
const engine = await Engine.open({ dataDir, backends: 1, clock, logger: createLogger({ level: 'silent' }) });
if (point === 'decided') {
  engine.schedules.on('run', (run) => {
    if (run.state === 'DECIDED') freeze(`decided ${run.label ?? ''}`);
  });
} else {
  const jobs = engine.jobs as unknown as JobScheduler;
  const submit = jobs.submit.bind(jobs);
  jobs.submit = async (request) => {
    const job = await submit(request);
    freeze(`submitted ${job.id}`);
    return job;
  };
}
say('OPEN');
await new Promise(() => undefined);
