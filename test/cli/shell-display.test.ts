/**
 * The interactive shell's display decisions without a terminal: `\x auto` (aligned unless wider than the terminal),
 * `\G`'s vertical form, when a result goes through the pager (psql's rule: more lines than the screen has rows, or a
 * line wider than it), and the pager itself as a real child process. test/e2e/tmux-shell-display.test.ts drives the
 * same through a real terminal; this file checks the rules on many shapes in milliseconds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/cli/shell/display-width.ts';
import { defaultPager, fitsScreen, showPaged } from '../../src/cli/shell/pager.ts';
import { renderForTerminal, renderResult } from '../../src/cli/shell/table-renderer.ts';
import type { ResultSet } from '../../src/sql/result.ts';

const TEXT = { name: 'VARCHAR', length: 40 } as const;

/** A result of `width` text columns and the given rows (CJK characters count two cells). */
const results = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 5 }))
  .chain(([width, height]) =>
    fc.record({
      columns: fc.array(fc.stringMatching(/^[a-z_]{1,8}$/), { minLength: width, maxLength: width }),
      rows: fc.array(fc.array(fc.option(fc.stringMatching(/^[a-z 日本✓]{0,30}$/), { nil: null }), { minLength: width, maxLength: width }), {
        minLength: height,
        maxLength: height,
      }),
    }),
  )
  .map((r): ResultSet => ({ kind: 'rows', columns: r.columns, columnTypes: r.columns.map(() => TEXT), rows: r.rows }));

const widest = (text: string): number => Math.max(0, ...text.split('\n').map(displayWidth));

describe('\\x auto', () => {
  it('is the aligned table when it fits the terminal, else the expanded blocks', () => {
    fc.assert(
      fc.property(results, fc.integer({ min: 10, max: 120 }), (result, columns) => {
        const aligned = renderResult(result, { expanded: false, nullMarker: '[NULL]' });
        const expanded = renderResult(result, { expanded: true, nullMarker: '[NULL]' });
        const auto = renderForTerminal(result, { layout: 'auto', nullMarker: '[NULL]', columns });
        expect(auto).toBe(widest(aligned) <= columns ? aligned : expanded);
        // \x on / off ignore the width.
        expect(renderForTerminal(result, { layout: 'expanded', nullMarker: '[NULL]', columns })).toBe(expanded);
        expect(renderForTerminal(result, { layout: 'aligned', nullMarker: '[NULL]', columns })).toBe(aligned);
      }),
      { numRuns: 50 },
    );
  });

  it('expands a row of wide characters that only overflows in terminal cells', () => {
    const result: ResultSet = { kind: 'rows', columns: ['v'], columnTypes: [TEXT], rows: [['日本日本日本']] };
    // 6 characters, 12 cells: the aligned table is 13 cells wide.
    expect(renderForTerminal(result, { layout: 'auto', nullMarker: '', columns: 13 })).toContain(' 日本日本日本');
    expect(renderForTerminal(result, { layout: 'auto', nullMarker: '', columns: 12 })).toBe(renderResult(result, { expanded: true, nullMarker: '' }));
  });
});

describe('\\G', () => {
  it("prints the mysql client's vertical form with a row count", () => {
    const result: ResultSet = { kind: 'rows', columns: ['id', 'long_name'], columnTypes: [TEXT, TEXT], rows: [['1', null], ['2', 'x']] };
    expect(renderForTerminal(result, { layout: 'vertical', nullMarker: '[NULL]', columns: 80 })).toBe(
      [
        '*************************** 1. row ***************************',
        '       id: 1',
        'long_name: NULL',
        '*************************** 2. row ***************************',
        '       id: 2',
        'long_name: x',
        '(2 rows)',
        '',
        '',
      ].join('\n'),
    );
  });
});

describe('pager decision', () => {
  it('a text fits when it has fewer lines than the screen has rows (one for the prompt) and no line is wider', () => {
    // Wide characters: '日日' is 2 UTF-16 units but 4 cells (a length shortcut once let it through).
    expect(fitsScreen('日日\n', 2, 24)).toBe(false);
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z 日✓]{0,12}$/), { maxLength: 12 }), fc.boolean(), fc.integer({ min: 1, max: 14 }), fc.integer({ min: 2, max: 14 }), (lines, trailing, columns, rows) => {
        const text = lines.join('\n') + (trailing && lines.length > 0 ? '\n' : '');
        const shown = text === '' ? [] : text.replace(/\n$/, '').split('\n');
        const expected = shown.length <= rows - 1 && shown.every((l) => displayWidth(l) <= columns);
        expect(fitsScreen(text, columns, rows)).toBe(expected);
      }),
    );
  });

  it('the pager command is $PAGER, else less -S', () => {
    expect(defaultPager({ PAGER: 'more' })).toBe('more');
    expect(defaultPager({ PAGER: '  ' })).toBe('less -S');
    expect(defaultPager({})).toBe('less -S');
  });
});

describe('showPaged with a real pager process', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-pager-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const tall = Array.from({ length: 30 }, (_, i) => `row ${i}`).join('\n') + '\n';

  async function show(text: string, pager: string | null, output: { columns?: number; rows?: number; isTTY?: boolean }) {
    const written: string[] = [];
    const events: string[] = [];
    await showPaged(text, { pager, output, write: (t) => written.push(t), pause: () => events.push('pause'), resume: () => events.push('resume') });
    return { written: written.join(''), events };
  }

  it('sends a result longer than the screen to the pager, with line editing paused meanwhile', async () => {
    const file = path.join(dir, 'paged.txt');
    const out = await show(tall, `cat > '${file}'`, { isTTY: true, columns: 80, rows: 24 });
    expect(out).toEqual({ written: '', events: ['pause', 'resume'] });
    expect(fs.readFileSync(file, 'utf8')).toBe(tall);
  });

  it('writes it itself when it fits, when the output is no terminal, when paging is off, or when the pager cannot start', async () => {
    const file = path.join(dir, 'never.txt');
    const pager = `cat > '${file}'`;
    expect(await show('a\nb\n', pager, { isTTY: true, columns: 80, rows: 24 })).toEqual({ written: 'a\nb\n', events: [] });
    expect(await show(tall, pager, { isTTY: false, columns: 80, rows: 24 })).toEqual({ written: tall, events: [] });
    expect(await show(tall, null, { isTTY: true, columns: 80, rows: 24 })).toEqual({ written: tall, events: [] });
    expect(fs.existsSync(file)).toBe(false);
    // A command the shell cannot find exits 127: the result is printed rather than lost.
    const missing = await show(tall, 'tv-no-such-pager-command 2>/dev/null', { isTTY: true, columns: 80, rows: 24 });
    expect(missing).toEqual({ written: tall, events: ['pause', 'resume'] });
  });

  it('a pager that quits before reading everything is not an error', async () => {
    const huge = 'x'.repeat(100) + '\n';
    const out = await show(huge.repeat(20_000), 'head -c 10 > /dev/null', { isTTY: true, columns: 80, rows: 24 });
    expect(out).toEqual({ written: '', events: ['pause', 'resume'] });
  });
});
