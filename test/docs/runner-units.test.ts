/**
 * The docs runner's own rules (docs/README.md): how output is compared, which blocks are examples, how command lines
 * are split. Each case fails if the runner let a wrong output, an unmarked transcript or an unrunnable command pass.
 */
import { describe, expect, it } from 'vitest';
import { compareOutput, substitute } from './expected-output.ts';
import { planPage } from './page-plan.ts';
import { ShellSyntaxError, shellWords } from './shell-words.ts';

describe('compareOutput', () => {
  it('is exact without placeholders: one changed character, a missing or an extra line fail', () => {
    const vars = new Map<string, string>();
    expect(compareOutput('a\tb\n', 'a\tb\n', vars).ok).toBe(true);
    expect(compareOutput('a\tb\n', 'a\tc\n', vars).ok).toBe(false);
    expect(compareOutput('a\nb\n', 'a\n', vars).ok).toBe(false);
    expect(compareOutput('', 'x\n', vars).ok).toBe(false);
    expect(compareOutput('a\n', 'a\n\n', vars).ok).toBe(false);
  });

  it('{{name}} matches text within one cell only, binds it for later input, and binds nothing on a mismatch', () => {
    const vars = new Map<string, string>();
    expect(compareOutput('snap1\t{{ts}}\tOK\n', 'snap1\t2026-01-02-03-04-05-006\tOK\n', vars)).toEqual({ ok: true, expected: 'snap1\t2026-01-02-03-04-05-006\tOK\n' });
    expect(substitute("RESTORE … ('backup_timestamp' = '{{ts}}')", vars)).toBe("RESTORE … ('backup_timestamp' = '2026-01-02-03-04-05-006')");
    // A placeholder never swallows a tab (two cells) or another line.
    expect(compareOutput('{{x}}\tOK\n', 'a\tb\tOK\n', vars).ok).toBe(false);
    expect(compareOutput('{{x}}\n', 'a\nb\n', vars).ok).toBe(false);
    // Text around a placeholder is literal (a '.' is not any character).
    expect(compareOutput('__info_{{t}}.{{md5}}\n', '__info_1X2\n', vars).ok).toBe(false);
    const failed = new Map<string, string>();
    expect(compareOutput('{{a}}\tfixed\n', 'v\tother\n', failed).ok).toBe(false);
    expect(failed.size).toBe(0);
  });

  it('a placeholder used before any output bound it is an error, not an empty string', () => {
    expect(() => substitute('{{nope}}', new Map())).toThrow(/used before/);
  });
});

describe('planPage', () => {
  const fence = '```';
  it('pairs sql / sh / ts blocks with the text block after them; no text block means no output', () => {
    const plan = planPage(`${fence}sql\nSELECT 1;\n${fence}\n${fence}text\n1\n1\n${fence}\n\n${fence}sql\nCREATE DATABASE d;\n${fence}\n`);
    expect(plan.problems).toEqual([]);
    expect(plan.steps.map((s) => s.parts)).toEqual([[{ input: 'SELECT 1;\n', expected: '1\n1\n' }], [{ input: 'CREATE DATABASE d;\n', expected: '' }]]);
  });

  it('splits a console block into commands and their output, joining a command whose quote spans lines', () => {
    const plan = planPage(`${fence}console\n$ mariadb -e "SELECT 1;\nSELECT 2"\n1\n1\n$ mariadb -e "X"\nERROR\n${fence}\n`);
    expect(plan.steps[0]?.parts).toEqual([
      { input: 'mariadb -e "SELECT 1;\nSELECT 2"', expected: '1\n1\n' },
      { input: 'mariadb -e "X"', expected: 'ERROR\n' },
    ]);
  });

  it('refuses a transcript in a bare or text block, and a not-run marker without a reason', () => {
    expect(planPage(`${fence}\n$ tablevault sql -e "SELECT 1"\n1\n${fence}\n`).problems).toHaveLength(1);
    expect(planPage(`${fence}text\n$ mariadb -e "SELECT 1"\n${fence}\n`).problems).toHaveLength(1);
    expect(planPage(`<!-- not run: -->\n${fence}sql\nSELECT 1;\n${fence}\n`).problems).toHaveLength(1);
    const marked = planPage(`<!-- not run: needs S3 -->\n${fence}sql\nSELECT 1;\n${fence}\n`);
    expect(marked.problems).toEqual([]);
    expect(marked.steps).toEqual([]);
    expect(marked.notRun.map((b) => b.notRun)).toEqual(['needs S3']);
  });

  it('a console block that does not start with a $ line is a problem', () => {
    expect(planPage(`${fence}console\nhello\n${fence}\n`).problems).toHaveLength(1);
  });
});

describe('shellWords', () => {
  it('splits like sh: quotes, escapes in double quotes, comments', () => {
    expect(shellWords(`mariadb -h127.0.0.1 -pS3cure! -e "SELECT 'a'; SELECT \\"b\\"" # comment`)).toEqual([
      'mariadb', '-h127.0.0.1', '-pS3cure!', '-e', `SELECT 'a'; SELECT "b"`,
    ]);
    expect(shellWords(`x -e 'it''s' "a\\Gb"`)).toEqual(['x', '-e', 'its', 'a\\Gb']);
  });

  it('refuses what it would have to guess at: variables, pipes, globs, unterminated quotes', () => {
    for (const text of ['echo "$HOME"', 'a | b', 'ls *.md', 'a > f', 'x "open']) expect(() => shellWords(text), text).toThrow(ShellSyntaxError);
  });
});
