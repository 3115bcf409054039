/**
 * Child process of verify-crash.test.ts: opens the Engine on a data dir with reads of `slow` repositories delayed,
 * runs a restore-mode VERIFY, and once its RESTORE into the scratch database is downloading, prints `RESTORING <id>`
 * and freezes its event loop so the parent can `kill -9` it right there.
 */
import fs from 'node:fs';
import type { Broker } from '../../src/brokers/broker.ts';
import { FaultInjectingBroker } from '../../src/brokers/fault-injecting-broker.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';

const [dataDir, sql] = process.argv.slice(2) as [string, string];
const say = (line: string): void => {
  fs.writeSync(1, `${line}\n`);
};

async function slow(location: string, properties: Readonly<Record<string, string>>): Promise<Broker> {
  return new FaultInjectingBroker(await openBroker(location, properties), { latencyMs: 100, ops: ['read', 'downloadFile'] });
}

const engine = await Engine.open({ dataDir, backends: 3, logger: createLogger({ level: 'silent' }), openBroker: slow });
engine.jobs.events.on('state', (e) => {
  if (e.kind !== 'RESTORE' || e.to !== 'DOWNLOADING') return;
  say(`RESTORING ${e.jobId}`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});
const result = await engine.session().execute(sql);
say(`DONE ${result.kind}`);
await engine.close();
