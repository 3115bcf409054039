/**
 * An idle fs pool never keeps a process alive: a child warms the shared pool (as Engine.open does), runs one batch,
 * and must then exit on its own. On Node 20 a Worker unref'd before its 'message' listener was attached stayed
 * referenced, and every `tablevault sql -e` hung after printing its result.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

it('a process whose fs pool is warm and idle exits by itself', async () => {
  const script = [
    `const { fsPool } = await import(${JSON.stringify(path.join(ROOT, 'src', 'util', 'fs-pool.ts'))});`,
    'const pool = fsPool();',
    'pool.warm();',
    "const [stat] = await pool.run([{ op: 'stat', path: '.' }]);",
    "if (stat === undefined) throw new Error('no result');",
    "process.stdout.write('idle\\n');",
  ].join('\n');
  // A file, not -e: --input-type=module would pass to the pool's eval'd (CommonJS) threads.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-fspool-'));
  const file = path.join(dir, 'child.mts');
  fs.writeFileSync(file, script);
  const started = Date.now();
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }>((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: child.exitCode, stdout, stderr, killed: error?.killed === true });
    });
  });
  fs.rmSync(dir, { recursive: true, force: true });
  expect(result.stderr).toBe('');
  expect(result.stdout).toBe('idle\n');
  expect(result.killed).toBe(false);
  expect(result.code).toBe(0);
  expect(Date.now() - started).toBeLessThan(30_000);
});
