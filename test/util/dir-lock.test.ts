import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { DirectoryLockedError, lockDirectory } from '../../src/util/dir-lock.ts';
import { tempDir } from '../storage/helpers.ts';

/**
 * The data-dir lock is a kernel lock: two processes racing for one data dir never both get it (the old pid-file
 * lock could be taken over between creating the file and writing the pid), and kill -9 of the owner frees it.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(HERE, 'fixtures', 'lock-child.ts');
const ROOT = path.resolve(HERE, '../..');
const logger = createLogger({ level: 'silent' });

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

function child(args: string[]): { proc: ChildProcess; lines: Promise<string>[]; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanup.push(() => proc.kill('SIGKILL'));
  let buffer = '';
  let err = '';
  const resolvers: ((l: string) => void)[] = [];
  const lines = Array.from({ length: 2 }, () => new Promise<string>((resolve) => resolvers.push(resolve)));
  proc.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      resolvers.shift()?.(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
    }
  });
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  void exited.then(() => {
    for (const r of resolvers.splice(0)) r(`EXIT ${err}`);
  });
  return { proc, lines, exited };
}

describe('data-dir lock', () => {
  it('two processes racing for the same data dirs: exactly one wins each, every time', async () => {
    const base = tempDir();
    cleanup.push(() => fs.rmSync(base, { recursive: true, force: true }));
    const rounds = 200;
    for (let i = 0; i < rounds; i++) fs.mkdirSync(path.join(base, String(i)));
    const racers = [child(['race', base, String(rounds)]), child(['race', base, String(rounds)])];
    expect(await Promise.all(racers.map((r) => r.lines[0]))).toEqual(['READY', 'READY']);
    fs.writeFileSync(path.join(base, 'go'), '');
    const [a, b] = await Promise.all(racers.map((r) => r.lines[1]));
    expect(a).toMatch(new RegExp(`^[WL]{${rounds}}$`));
    expect(b).toMatch(new RegExp(`^[WL]{${rounds}}$`));
    const both = [...a!].filter((x, i) => x === 'W' && b![i] === 'W').length;
    const neither = [...a!].filter((x, i) => x === 'L' && b![i] === 'L').length;
    expect({ both, neither }).toEqual({ both: 0, neither: 0 });
  }, 60_000);

  it('kill -9 of the owner frees the data dir; while it lives, Engine.open is refused naming its pid', async () => {
    const dir = tempDir();
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const owner = child(['hold', dir]);
    expect(await owner.lines[0]).toBe('LOCKED');
    const refused = await Engine.open({ dataDir: dir, logger }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(DirectoryLockedError);
    expect((refused as DirectoryLockedError).ownerPid).toBe(owner.proc.pid);
    owner.proc.kill('SIGKILL');
    await owner.exited;
    const engine = await Engine.open({ dataDir: dir, logger });
    expect(await engine.session().execute('SELECT 1 AS x')).toMatchObject({ rows: [['1']] });
    await engine.close();
  }, 60_000);

  it('a second lock in the same process is refused, and the refusal does not loosen the first (another process is still refused)', async () => {
    const dir = tempDir();
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const first = lockDirectory(dir);
    try {
      expect(() => lockDirectory(dir)).toThrow(DirectoryLockedError);
      expect(() => lockDirectory(dir)).toThrow(/is in use by process \d+/);
      const other = child(['hold', dir]);
      const line = await other.lines[0];
      expect(line).toMatch(/^EXIT .*DirectoryLockedError/s);
    } finally {
      first.release();
    }
    const after = child(['hold', dir]);
    expect(await after.lines[0]).toBe('LOCKED');
  }, 60_000);
});
