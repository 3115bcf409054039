import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Broker } from '../../src/brokers/broker.ts';
import { LocalBroker } from '../../src/brokers/local/local-broker.ts';

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(): { readonly dir: string; readonly cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-repo-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The real local-disk adapter rooted at `dir`. */
export function localBroker(dir: string): Broker {
  return new LocalBroker(dir, `file://${dir}`);
}

/** Every file under `dir`, relative, sorted. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  if (fs.existsSync(dir)) walk(dir, '');
  return out.sort();
}
