/**
 * psql's `aligned` output: a centred header, a `---+---` rule, numbers right-aligned (from the result's column types),
 * text left-aligned, a value with line breaks continued on the next line with `+` in the gutter, a `(N rows)` footer.
 * `expanded` mode (`\x`) prints one `-[ RECORD n ]-` block per row instead. SQL NULL prints as a marker of the user's
 * choosing (`\pset null`), so it never looks like an empty string.
 */
import type { ResultSet } from '../../sql/result.ts';
import type { ColumnType } from '../../types/column-type.ts';
import { formatVertical } from '../batch-output.ts';
import { displayWidth, pad } from './display-width.ts';

export interface RenderOptions {
  /** `\x`: one block per row. */
  readonly expanded: boolean;
  /** What NULL prints as (`\pset null`). */
  readonly nullMarker: string;
}

export const DEFAULT_NULL_MARKER = '[NULL]';

const NUMERIC: ReadonlySet<string> = new Set(['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'LARGEINT', 'FLOAT', 'DOUBLE', 'DECIMAL']);

/** Whether values of this type print right-aligned. */
export function isNumericColumn(type: ColumnType | undefined): boolean {
  return type !== undefined && NUMERIC.has(type.name);
}

/** Render a result set; the text ends with a newline. */
export function renderResult(result: ResultSet, options: RenderOptions): string {
  return options.expanded ? renderExpanded(result, options) : renderAligned(result, options);
}

/**
 * The interactive shell's choice: `aligned` or `expanded` as `\x` says; `auto` (`\x auto`) aligned unless the table
 * would be wider than `columns`, then expanded; `vertical` the mysql client's `\G` form with a `(N rows)` footer.
 */
export function renderForTerminal(
  result: ResultSet,
  options: { readonly layout: 'aligned' | 'expanded' | 'auto' | 'vertical'; readonly nullMarker: string; readonly columns: number },
): string {
  if (options.layout === 'vertical') return `${formatVertical(result, { columnNames: true })}${rowCount(result.rows.length)}\n\n`;
  if (options.layout !== 'expanded') {
    const aligned = renderAligned(result, { expanded: false, nullMarker: options.nullMarker });
    if (options.layout === 'aligned' || widestLine(aligned) <= options.columns) return aligned;
  }
  return renderExpanded(result, { expanded: true, nullMarker: options.nullMarker });
}

/** The widest line of a rendered text, in terminal cells. */
function widestLine(text: string): number {
  let widest = 0;
  for (const line of text.split('\n')) widest = Math.max(widest, displayWidth(line));
  return widest;
}

/**
 * Control characters would move the cursor or recolour the terminal: show them escaped (`\t`, `\x1b`). Line breaks
 * are kept; they split a value into lines.
 */
export function visibleLines(value: string): string[] {
  return value
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) =>
      // eslint-disable-next-line no-control-regex
      line.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\t]/g, (c) => (c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)),
    );
}

function cellLines(value: string | null, nullMarker: string): string[] {
  return value === null ? [nullMarker] : visibleLines(value);
}

function renderAligned(result: ResultSet, options: RenderOptions): string {
  const columns = result.columns;
  const headers = columns.map((c) => visibleLines(c).join(' '));
  const right = columns.map((_, i) => isNumericColumn(result.columnTypes[i]));
  const cells = result.rows.map((row) => columns.map((_, i) => cellLines(row[i] ?? null, options.nullMarker)));
  // Loops, not Math.max(...spread): a spread of a million rows overflows the call stack.
  const widths = headers.map(displayWidth);
  for (const row of cells) row.forEach((lines, i) => (widths[i] = Math.max(widths[i] as number, widest(lines))));
  const out: string[] = [];
  out.push(headers.map((h, i) => ` ${center(h, widths[i] as number)} `).join('|').trimEnd());
  out.push(widths.map((w) => '-'.repeat(w + 2)).join('+'));
  const last = columns.length - 1;
  for (const row of cells) {
    const height = Math.max(1, ...row.map((lines) => lines.length));
    for (let line = 0; line < height; line++) {
      let text = '';
      for (let i = 0; i <= last; i++) {
        const lines = row[i] as string[];
        const part = lines[line] ?? '';
        // psql puts `+` right of a cell whose value goes on below.
        const more = line < lines.length - 1 ? '+' : ' ';
        text += `${i === 0 ? ' ' : '| '}${pad(part, widths[i] as number, right[i] === true ? 'right' : 'left')}${more}`;
      }
      out.push(text.trimEnd());
    }
  }
  out.push(rowCount(result.rows.length));
  return `${out.join('\n')}\n\n`;
}

function renderExpanded(result: ResultSet, options: RenderOptions): string {
  if (result.rows.length === 0) return `${rowCount(0)}\n\n`;
  const keys = result.columns.map((c) => visibleLines(c).join(' '));
  const keyWidth = widest(keys);
  let valueWidth = 0;
  for (const row of result.rows) for (const v of row) valueWidth = Math.max(valueWidth, widest(cellLines(v, options.nullMarker)));
  const out: string[] = [];
  result.rows.forEach((row, r) => {
    const title = `-[ RECORD ${r + 1} ]`;
    const titleWidth = displayWidth(title);
    // psql marks the column separator with `+` when the title ends before it.
    out.push(
      titleWidth < keyWidth + 1
        ? `${title}${'-'.repeat(keyWidth + 1 - titleWidth)}+${'-'.repeat(valueWidth + 1)}`
        : title + '-'.repeat(Math.max(0, keyWidth + 3 + valueWidth - titleWidth)),
    );
    keys.forEach((key, i) => {
      const lines = cellLines(row[i] ?? null, options.nullMarker);
      lines.forEach((line, l) => {
        const more = l < lines.length - 1 ? '+' : '';
        out.push(`${pad(l === 0 ? key : '', keyWidth, 'left')} | ${line}${more}`.trimEnd());
      });
    });
  });
  return `${out.join('\n')}\n\n`;
}

function widest(lines: readonly string[]): number {
  let w = 0;
  for (const line of lines) w = Math.max(w, displayWidth(line));
  return w;
}

function center(text: string, width: number): string {
  const free = Math.max(0, width - displayWidth(text));
  const left = Math.floor(free / 2);
  return ' '.repeat(left) + text + ' '.repeat(free - left);
}

function rowCount(n: number): string {
  return `(${n} ${n === 1 ? 'row' : 'rows'})`;
}
