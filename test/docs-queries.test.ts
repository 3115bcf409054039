/**
 * docs/user-guide.md's query examples (Joins, Set operations, Subqueries, Memory, and the Views examples that use
 * them) run as written through the `tablevault sql -e` command (in process) on a data dir prepared with the guide's
 * own CREATE / INSERT examples for `customers` and `stores`; the printed output must be the guide's text block.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSql, type CommandIo } from '../src/cli/sql-command.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const GUIDE = fs.readFileSync(path.join(ROOT, 'docs', 'user-guide.md'), 'utf8');

/** Every fenced block, in order, as { lang, body }. */
const BLOCKS = [...GUIDE.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1] as string, body: m[2] as string }));

/** The sql block containing `marker` and the text block right after it. */
function example(marker: string): { sql: string; output: string } {
  const i = BLOCKS.findIndex((b) => b.lang === 'sql' && b.body.includes(marker));
  const sql = BLOCKS[i];
  const output = BLOCKS[i + 1];
  if (sql === undefined || output?.lang !== 'text') throw new Error(`user-guide.md has no sql + text example with ${marker}`);
  return { sql: sql.body, output: output.body };
}

async function tablevaultSql(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stdinIsTTY: false, readStdin: () => '' };
  const code = await runSql(args, io);
  return { code, stdout, stderr };
}

let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-docs-'));
  for (const marker of ['CREATE DATABASE shop;', 'CREATE TABLE shop.customers', 'CREATE TABLE shop.stores']) {
    const r = await tablevaultSql(['--data-dir', dir, '-e', example(marker).sql]);
    expect(r.stderr).toBe('');
  }
}, 60_000);
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('docs/user-guide.md query examples', () => {
  it.each([
    'CREATE TABLE visits',
    'USING (id)',
    'SELECT LOWER(city) AS city FROM customers UNION',
    'WHERE id IN (SELECT customer_id FROM visits',
    'CREATE VIEW store_visits',
    'CREATE OR REPLACE VIEW store_visits',
  ])('the example with %s prints what the guide shows', async (marker) => {
    const { sql, output } = example(marker);
    const r = await tablevaultSql(['--data-dir', dir, '-e', sql]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(output);
  });

  it('the Memory example fails as the guide shows', async () => {
    const i = BLOCKS.findIndex((b) => b.lang === 'sh' && b.body.includes('SET query_mem_limit'));
    const script = /-e "([\s\S]*)"\s*$/.exec(BLOCKS[i]?.body ?? '')?.[1];
    if (script === undefined) throw new Error('no Memory sh example');
    const r = await tablevaultSql(['--data-dir', dir, '-e', script]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(BLOCKS[i + 1]?.body);
  });
});
