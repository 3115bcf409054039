import path from 'node:path';

import type { Broker } from '../../src/brokers/broker.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';
import { localBroker } from './helpers.ts';
import { MemoryBroker } from './memory-broker.ts';

/** A storage the repository suites run on. `open(dir, fresh)` returns a broker on one shared location per test. */
export interface BrokerKind {
  readonly name: string;
  /** A broker on this test's location; `fresh=false` opens a second broker on the same location. */
  open(dir: string, fresh?: boolean): Promise<Broker>;
  cleanup?(): Promise<void>;
  /** Start a server before the suite / stop it after. */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  /**
   * Resolves to an error text when the adapter cannot complete one small write within 3 s (an adapter still being
   * built); the suite then fails that single check and skips the rest instead of hanging every test.
   */
  probe?(dir: string): Promise<string | null>;
}

async function probeWrite(broker: Broker): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('a 3-byte write did not complete within 3 s'), 3000);
  });
  try {
    return await Promise.race([broker.write('__probe', Buffer.from('abc')).then(() => null), timeout]);
  } catch (error) {
    return (error as Error).message;
  } finally {
    clearTimeout(timer);
    await broker.delete('__probe').catch(() => undefined);
  }
}

function memoryKind(name: string, capabilities: ConstructorParameters<typeof MemoryBroker>[1]): BrokerKind {
  let shared: MemoryBroker | undefined;
  return {
    name,
    async open(_dir, fresh = true) {
      // A second "instance" on the same location shares the objects (like two clients of one bucket).
      if (fresh || shared === undefined) shared = new MemoryBroker('mem://bucket/backup', capabilities);
      return shared;
    },
  };
}

function s3rverKind(): BrokerKind {
  let server: S3TestServer | undefined;
  let n = 0;
  let location = '';
  const open = (): Promise<Broker> => {
    if (server === undefined) throw new Error('s3rver not started');
    return openBroker(location, server.properties, { s3: { maxAttempts: 2 } });
  };
  return {
    name: 's3 adapter on s3rver (s3://)',
    async setup() {
      server = await startS3Server({ bucket: 'tv-repository' });
    },
    async teardown() {
      await server?.close();
    },
    async open(_dir, fresh = true) {
      // Each test gets its own prefix in the one bucket; a second broker on the same prefix is a second client.
      if (fresh) location = `${(server as S3TestServer).location}/t${++n}`;
      return open();
    },
    probe: async () => (server === undefined ? 's3rver not started' : null),
  };
}

export const BROKER_KINDS: readonly BrokerKind[] = [
  memoryKind('memory double (object store: atomic PUT, costly rename)', { atomicWrite: true, cheapRename: false, exclusiveCreate: false }),
  memoryKind('memory double (disk-like: .part + rename)', { atomicWrite: false, cheapRename: true, exclusiveCreate: true }),
  {
    name: 'local adapter (file://)',
    open: async (dir) => localBroker(path.join(dir, 'remote')),
    probe: async (dir) => probeWrite(localBroker(path.join(dir, 'probe'))),
  },
  s3rverKind(),
];
