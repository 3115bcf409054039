/**
 * The README's "ten-line tour", run exactly as written: the sh block through the real `tablevault sql` command
 * (only `npx tablevault` becomes `node scripts/tablevault-dev.js`, since the package is not installed in the temp dir), then
 * the ts block as a user's ESM program that imports 'tablevault' — run in the same directory, on the same ./demo.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
// The sources through tsx: bin/tablevault.js runs dist/, which test/package.test.ts checks from a packed tarball.
const BIN = path.join(ROOT, 'scripts', 'tablevault-dev.js');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function block(lang: string, mustContain: string): string {
  const found = [...README.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] as string).find((b) => b.includes(mustContain));
  if (found === undefined) throw new Error(`README has no \`\`\`${lang} block containing ${mustContain}`);
  return found;
}

function run(file: string, args: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, timeout: 120_000, env: { ...process.env, TABLEVAULT_LOG_LEVEL: 'warn' } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

describe('README tour', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-'));
  });
  afterAll(() => {
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('the sh block through `tablevault sql -e`, then the ts block through the library', async () => {
    const sh = block('sh', 'tablevault sql');
    expect(sh.trimStart().startsWith('npx tablevault sql')).toBe(true);
    const script = sh.replace('npx tablevault', `node ${JSON.stringify(BIN)}`);
    const cli = await run('/bin/sh', ['-c', script], cwd);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const lines = cli.stdout.split('\n');
    // Header titles follow the query text; compared without case, the grammar decides COUNT(*) vs count(*).
    expect(lines[0]?.toLowerCase()).toBe('region\tcount(*)\tsum(amount)');
    expect(lines.slice(1)).toEqual(['east\t1000\t1000.00', 'north\t2\t17.75', 'south\t1\t20.00', '']);
    expect(fs.existsSync(path.join(cwd, 'demo'))).toBe(true);

    // The ts block, as a user's ESM program with `tablevault` installed (node_modules/tablevault → this checkout).
    const ts = block('ts', "from 'tablevault'");
    fs.writeFileSync(path.join(cwd, 'tour.ts'), ts);
    fs.writeFileSync(path.join(cwd, 'package.json'), '{ "type": "module" }\n');
    fs.mkdirSync(path.join(cwd, 'node_modules'));
    fs.symlinkSync(ROOT, path.join(cwd, 'node_modules', 'tablevault'), 'dir');
    const tsx = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
    const lib = await run(process.execPath, ['--conditions=development', '--import', tsx, 'tour.ts'], cwd);
    expect(lib.code, lib.stderr).toBe(0);
    expect(lib.stdout).toContain("kind: 'rows'");
    expect(lib.stdout.toLowerCase()).toContain("columns: [ 'region', 'count(*)' ]");
    // GROUP BY without ORDER BY: any order, these three rows.
    for (const row of ["[ 'east', '1000' ]", "[ 'north', '2' ]", "[ 'south', '1' ]"]) expect(lib.stdout).toContain(row);
    // The engine closed cleanly: the data dir's lock is released.
    expect(fs.existsSync(path.join(cwd, 'demo', 'LOCK'))).toBe(false);
  });
});
