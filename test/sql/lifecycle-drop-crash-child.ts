/**
 * Child process of lifecycle-drop-crash.test.ts: opens the Engine on a data dir with its repositories' storage
 * wrapped so that the N-th change to the repository (write, delete, rename) completes and then the event loop
 * freezes; prints `FROZEN <n>` there so the parent can `kill -9` it at exactly that step of the DROP SNAPSHOT it
 * runs. Changes made before the statement (none: DROP is the only one) are counted too.
 */
import fs from 'node:fs';
import type { Broker } from '../../src/brokers/broker.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';

const [dataDir, sql, freezeAfter] = process.argv.slice(2) as [string, string, string];
const limit = Number(freezeAfter);
let changes = 0;
const say = (line: string): void => {
  fs.writeSync(1, `${line}\n`);
};
const counted = (): void => {
  changes++;
  if (changes === limit) {
    say(`FROZEN ${changes}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
};
const MUTATING = new Set(['write', 'delete', 'rename', 'deletePrefix', 'createIfAbsent', 'uploadFile']);

async function wrapped(location: string, properties: Readonly<Record<string, string>>): Promise<Broker> {
  const inner = await openBroker(location, properties);
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const fn = value as (...a: unknown[]) => unknown;
      if (!MUTATING.has(String(prop))) return fn.bind(target);
      return async (...args: unknown[]) => {
        const out = await fn.apply(target, args);
        counted();
        return out;
      };
    },
  });
}

const engine = await Engine.open({ dataDir, backends: 3, logger: createLogger({ level: 'silent' }), openBroker: wrapped });
const result = await engine.session().execute(sql);
say(`DONE ${result.kind} ${changes}`);
await engine.close();
