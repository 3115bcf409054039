import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { splitSql } from '../../grammar/index.ts';
import { complete, completionContext, KEYWORDS } from '../../src/cli/shell/completer.ts';
import { displayWidth } from '../../src/cli/shell/display-width.ts';
import { loadHistory, saveHistory } from '../../src/cli/shell/history.ts';
import { jobStatementInfo } from '../../src/cli/shell/job-watch.ts';
import { booleanArg, parseMeta } from '../../src/cli/shell/meta-commands.ts';
import { formatBytes, formatDuration, formatJobEnd, formatProgressLine } from '../../src/cli/shell/progress-line.ts';
import { scanStatements, StatementBuffer } from '../../src/cli/shell/statement-scanner.ts';
import { renderResult } from '../../src/cli/shell/table-renderer.ts';
import type { ProgressEvent } from '../../src/jobs/progress.ts';
import type { ResultSet } from '../../src/sql/result.ts';

const INT = { name: 'INT' } as const;
const TEXT = { name: 'VARCHAR', length: 20 } as const;

describe('statement scanner', () => {
  it('splits on top-level semicolons only', () => {
    const r = scanStatements("select ';' as a; select `x;y`, \"q;\" -- c;\n; /* ; */ select 1 # ;\n; sel");
    expect(r.statements).toEqual(["select ';' as a", 'select `x;y`, "q;"', 'select 1']);
    expect(r.rest).toBe(' sel');
    expect(r.open).toBe('none');
  });

  it('reports what is open at the end', () => {
    expect(scanStatements("select 'abc").open).toBe("'");
    expect(scanStatements("select 'it''s").open).toBe("'");
    expect(scanStatements("select 'it\\'s").open).toBe("'");
    expect(scanStatements('select "a').open).toBe('"');
    expect(scanStatements('select `a``b').open).toBe('`');
    expect(scanStatements('select /* a').open).toBe('/*');
    expect(scanStatements('select 1--1;').statements).toEqual(['select 1--1']);
  });

  it('the buffer forgets trailing whitespace and comments but keeps an open statement', () => {
    const b = new StatementBuffer();
    expect(b.push('select 1;   -- done')).toEqual(['select 1']);
    expect(b.pending).toBe(false);
    expect(b.push('select')).toEqual([]);
    expect(b.pending).toBe(true);
    expect(b.push("'a")).toEqual([]);
    expect(b.open).toBe("'");
    expect(b.push("b'; select 2; select")).toEqual(["select\n'a\nb'", 'select 2']);
    expect(b.text).toBe(' select');
    b.clear();
    expect(b.pending).toBe(false);
  });

  // Pieces that exercise every lexical construct, joined at random.
  const piece = fc.constantFrom(
    'select 1', ' ', '\n', ';', "'a;b'", "'it''s'", "'x\\'y'", '"d;q"', '`b;t`', '`a``b`', '-- c;\n', '#h;\n', '/* ; */',
    '1--1', ' from t', ',', 'where x = 2', '(', ')', '\t',
  );
  const text = fc.array(piece, { maxLength: 30 }).map((ps) => ps.join(''));

  it('agrees with the grammar splitter on complete texts (fast-check)', () => {
    fc.assert(
      fc.property(text, (t) => {
        const ours = scanStatements(t);
        const full = ours.restHasContent ? ours.statements.concat([ours.rest.trim()]) : ours.statements;
        const grammar = splitSql(t).map((c) => c.text);
        expect(full.map((s) => splitSql(s).map((c) => c.text).join('|'))).toEqual(grammar);
      }),
      { numRuns: 300 },
    );
  });

  it('feeding lines one by one yields the same statements as scanning the whole text (fast-check)', () => {
    fc.assert(
      fc.property(text, (t) => {
        const b = new StatementBuffer();
        const got: string[] = [];
        for (const line of t.split('\n')) got.push(...b.push(line));
        expect(got).toEqual(scanStatements(t).statements);
        // Any prefix cut at a line end never throws and never yields more than the whole.
        expect(got.length).toBeLessThanOrEqual(scanStatements(t).statements.length);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary partial input (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (t) => {
        const r = scanStatements(t);
        expect(['none', "'", '"', '`', '/*']).toContain(r.open);
      }),
    );
  });
});

describe('table renderer', () => {
  const result: ResultSet = {
    kind: 'rows',
    columns: ['id', 'name', 'note'],
    columnTypes: [INT, TEXT, TEXT],
    rows: [
      ['1', 'tea', null],
      ['100', '日本', 'two\nlines'],
    ],
  };

  it('aligns like psql: centred header, numbers right, NULL marker, continued lines, footer', () => {
    expect(renderResult(result, { expanded: false, nullMarker: '[NULL]' })).toBe(
      [
        ' id  | name |  note',
        '-----+------+--------',
        '   1 | tea  | [NULL]',
        ' 100 | 日本 | two   +',
        '     |      | lines',
        '(2 rows)',
        '',
        '',
      ].join('\n'),
    );
  });

  it('expanded mode prints one block per row', () => {
    expect(renderResult(result, { expanded: true, nullMarker: '∅' })).toBe(
      ['-[ RECORD 1 ]', 'id   | 1', 'name | tea', 'note | ∅', '-[ RECORD 2 ]', 'id   | 100', 'name | 日本', 'note | two+', '     | lines', '', ''].join('\n'),
    );
    const wide: ResultSet = { kind: 'rows', columns: ['a_long_column_name'], columnTypes: [TEXT], rows: [['x']] };
    expect(renderResult(wide, { expanded: true, nullMarker: '' })).toBe('-[ RECORD 1 ]------+--\na_long_column_name | x\n\n');
  });

  it('zero rows, one row, and control characters escaped', () => {
    const empty: ResultSet = { kind: 'rows', columns: ['a'], columnTypes: [TEXT], rows: [] };
    expect(renderResult(empty, { expanded: false, nullMarker: '' })).toBe(' a\n---\n(0 rows)\n\n');
    expect(renderResult(empty, { expanded: true, nullMarker: '' })).toBe('(0 rows)\n\n');
    const ctl: ResultSet = { kind: 'rows', columns: ['a'], columnTypes: [TEXT], rows: [['x\ty\u001b[31m']] };
    expect(renderResult(ctl, { expanded: false, nullMarker: '' })).toBe('      a\n--------------\n x\\ty\\x1b[31m\n(1 row)\n\n');
  });

  it('every line of a rendered table has the same width (fast-check)', () => {
    const value = fc.option(fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '日', 'é', '1', '-'), maxLength: 12 }), { nil: null });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.array(value, { minLength: 4, maxLength: 4 }), { maxLength: 6 }), (n, rows) => {
        const r: ResultSet = { kind: 'rows', columns: Array.from({ length: n }, (_, i) => `c${i}`), columnTypes: Array.from({ length: n }, (_, i) => (i % 2 ? INT : TEXT)), rows: rows.map((row) => row.slice(0, n)) };
        const lines = renderResult(r, { expanded: false, nullMarker: 'NULL' }).split('\n');
        const ruler = lines[1] as string;
        // Every `|` sits where the ruler has a `+`.
        for (const line of lines.slice(2, -3)) {
          let col = 0;
          for (const ch of line) {
            if (ch === '|') expect(ruler[col]).toBe('+');
            col += displayWidth(ch);
          }
          expect(col).toBeLessThanOrEqual(ruler.length + 1);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('completer', () => {
  const names = { databases: ['shop', 'sales'], tables: ['orders', 'order_items', 'users'], repositories: ['s3repo'], tablesOf: (db: string) => (db === 'sales' ? ['leads'] : []) };

  it('completes tables after FROM, databases after USE, repositories after TO, meta-commands', () => {
    expect(complete('select * from ord', '', names)).toEqual([['order_items', 'orders'], 'ord']);
    expect(complete('use s', '', names)).toEqual([['sales', 'shop'], 's']);
    expect(complete('backup snapshot shop.s1 to s', '', names)).toEqual([['s3repo'], 's']);
    expect(complete('restore snapshot s1 from ', '', names)).toEqual([['s3repo'], '']);
    expect(complete('select * from sales.l', '', names)).toEqual([['sales.leads'], 'sales.l']);
    expect(complete('\\ti', '', names)).toEqual([['\\timing'], '\\ti']);
    expect(complete('\\c s', '', names)).toEqual([['sales', 'shop'], 's']);
  });

  it('uses earlier lines of the statement for context and matches the typed case for keywords', () => {
    expect(complete('us', 'select *\nfrom', names)).toEqual([['users'], 'us']);
    expect(complete('sel', '', names)[0]).toEqual(['select']);
    expect(complete('SEL', '', names)[0]).toEqual(['SELECT']);
    expect(KEYWORDS).toContain('REPOSITORIES');
    expect(completionContext('show tables from ', '')).toBe('database');
    expect(completionContext('show snapshot on ', '')).toBe('repository');
  });
});

describe('progress line', () => {
  const e: ProgressEvent = { jobId: 7, kind: 'BACKUP', label: 's1', state: 'UPLOADING', done: false, filesDone: 3, filesTotal: 10, bytesDone: 1536 * 1024, bytesTotal: 6 * 1024 * 1024, rateBytesPerSec: 512 * 1024, etaSeconds: 9 };

  it('shows state, bar, files, bytes, rate and ETA, cut to the terminal width', () => {
    expect(formatProgressLine(e, 200)).toBe('BACKUP s1  UPLOADING  [#####---------------] 25%  3/10 files  1.5 MiB/6.0 MiB  512.0 KiB/s  ETA 9s');
    // One column is kept free so the cursor never wraps.
    expect(formatProgressLine(e, 30)).toBe('BACKUP s1  UPLOADING  [#####-');
    // An incremental BACKUP also shows what it references instead of uploading.
    expect(formatProgressLine({ ...e, bytesReused: 96 * 1024 * 1024 }, 200)).toBe(
      'BACKUP s1  UPLOADING  [#####---------------] 25%  3/10 files  1.5 MiB/6.0 MiB  96.0 MiB reused  512.0 KiB/s  ETA 9s',
    );
    expect(formatProgressLine({ ...e, state: 'PENDING', filesTotal: 0, bytesTotal: 0, rateBytesPerSec: 0, etaSeconds: null }, 80)).toBe('BACKUP s1  PENDING');
    expect(formatJobEnd({ ...e, state: 'FINISHED', done: true, filesDone: 10, bytesDone: 6 * 1024 * 1024 }, 2500)).toBe('BACKUP s1 FINISHED: 10 files, 6.0 MiB in 3s');
    expect(formatJobEnd({ ...e, state: 'CANCELLED', done: true }, 0, '[CANCELLED, user cancelled]')).toBe('BACKUP s1 CANCELLED: 3 files, 1.5 MiB in 0s ([CANCELLED, user cancelled])');
  });

  it('formats sizes and durations', () => {
    expect([0, 1023, 1024, 1536, 5 * 1024 ** 3].map(formatBytes)).toEqual(['0 B', '1023 B', '1.0 KiB', '1.5 KiB', '5.0 GiB']);
    expect([0, 59, 60, 125, 3600, 3725].map(formatDuration)).toEqual(['0s', '59s', '1m00s', '2m05s', '1h00m', '1h02m']);
  });
});

describe('meta-commands, job statements, history', () => {
  it('parses backslash commands with quoted arguments', () => {
    expect(parseMeta('\\x')).toEqual({ name: 'x', args: [] });
    expect(parseMeta("  \\pset null '(none here)'")).toEqual({ name: 'pset', args: ['null', '(none here)'] });
    expect(parseMeta('\\d `my table`')).toEqual({ name: 'd', args: ['my table'] });
    expect(parseMeta('\\?')).toEqual({ name: '?', args: [] });
    expect(parseMeta('select 1')).toBeNull();
    expect([booleanArg(undefined, true), booleanArg('on', false), booleanArg('OFF', true), booleanArg('maybe', true)]).toEqual([false, true, false, null]);
  });

  it('recognises BACKUP and RESTORE statements and where their job is listed', () => {
    expect(jobStatementInfo('BACKUP SNAPSHOT shop.s1 TO repo')).toEqual({ kind: 'BACKUP', label: 's1', databases: ['shop'] });
    expect(jobStatementInfo('backup snapshot s1 to repo')).toEqual({ kind: 'BACKUP', label: 's1', databases: [undefined] });
    expect(jobStatementInfo('RESTORE SNAPSHOT shop.s1 FROM repo DATABASE shop AS shop2 PROPERTIES ("backup_timestamp" = "x")')).toEqual({ kind: 'RESTORE', label: 's1', databases: ['shop2', 'shop', undefined] });
    expect(jobStatementInfo('SELECT 1')).toBeNull();
    expect(jobStatementInfo('BACKUP nonsense')).toBeNull();
  });

  it('history round-trips any entries, newest first, multi-line ones included (fast-check)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-hist-'));
    try {
      const file = path.join(dir, 'sub', 'h');
      expect(loadHistory(file)).toEqual([]);
      fc.assert(
        fc.property(fc.array(fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.length > 0), { maxLength: 20 }), (entries) => {
          expect(saveHistory(file, entries)).toBeNull();
          expect(loadHistory(file)).toEqual(entries);
        }),
        { numRuns: 100 },
      );
      expect(saveHistory(file, ['newest', 'older\nline two', 'oldest'])).toBeNull();
      expect(fs.readFileSync(file, 'utf8')).toBe('oldest\nolder\\nline two\nnewest\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
