/**
 * The interactive shell's pager, as psql's: a result that does not fit the terminal (more lines than it has rows, or
 * a line wider than it is) goes through a pager program instead of scrolling past. The command is `--pager CMD`,
 * else `$PAGER`, else `less -S` (-S: long lines are cut, not wrapped; scroll sideways with the arrow keys). `\pager`
 * changes it, `\pager off` or `--no-pager` turns paging off. Batch mode (`-e`, piped input) never pages.
 */
import { spawn } from 'node:child_process';
import { displayWidth } from './display-width.ts';

/** The pager command when neither --pager nor \pager chose one. */
export function defaultPager(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['PAGER']?.trim();
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'less -S';
}

/** Whether `text` fits a terminal of `columns` x `rows` (one row is kept for the prompt). */
export function fitsScreen(text: string, columns: number, rows: number): boolean {
  let lines = 0;
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    const line = end < 0 ? text.slice(start) : text.slice(start, end);
    if (end < 0 && line === '') break;
    lines++;
    if (lines > rows - 1) return false;
    // A UTF-16 unit is at most two cells wide (CJK): only a line that long can overflow, so most skip the measuring.
    if (line.length * 2 > columns && displayWidth(line) > columns) return false;
    if (end < 0) break;
    start = end + 1;
  }
  return true;
}

/**
 * Show `text` through `command` (run by the shell, its output on this terminal) and resolve when the user quits it.
 * Resolves false when the command could not be started (then the caller prints the text itself).
 */
export function page(command: string, text: string): Promise<boolean> {
  return new Promise((resolve) => {
    let started = false;
    const child = spawn(command, { shell: true, stdio: ['pipe', 'inherit', 'inherit'] });
    child.on('spawn', () => {
      started = true;
      // A pager the user quits before reading everything closes its input: that is not an error.
      child.stdin.on('error', () => undefined);
      child.stdin.end(text);
    });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(started && code !== 127));
  });
}

/**
 * Show a result: through `pager` when one is set, the output is a terminal and the text does not fit it; otherwise
 * (or when the pager cannot start) written as it is. `pause` / `resume` stop line editing while the pager reads keys.
 */
export async function showPaged(
  text: string,
  options: {
    readonly pager: string | null;
    readonly output: { readonly columns?: number; readonly rows?: number; readonly isTTY?: boolean };
    write(text: string): void;
    pause(): void;
    resume(): void;
  },
): Promise<void> {
  const { output } = options;
  if (options.pager === null || output.isTTY !== true || fitsScreen(text, output.columns ?? 80, output.rows ?? 24)) return options.write(text);
  options.pause();
  try {
    if (!(await page(options.pager, text))) options.write(text);
  } finally {
    options.resume();
  }
}
