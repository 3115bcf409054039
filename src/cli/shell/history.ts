/**
 * Persistent line history: `~/.tablevault_history` (or `$TABLEVAULT_HISTFILE`), oldest line first, one per line, as
 * readline keeps it. Written after every entered line, so a killed shell loses nothing. Lines are stored with
 * newlines escaped (`\n`), so one entry always stays one line of the file.
 *
 * Lines are kept as `historyLines` makes them: with the secrets of their statements masked (`<secret>`), judged on
 * whole statements, so a password on a continuation line, inside a string opened lines earlier, or after a comment
 * is masked too. Until a statement is complete its lines do not parse and are kept with every quoted token masked;
 * the shell replaces them when it completes. Neither the file nor Up-arrow recall ever holds a credential typed at
 * the prompt.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scriptSecretSpans, SECRET_PLACEHOLDER, type SourceSpan } from '../../../grammar/index.ts';

export const HISTORY_SIZE = 1000;

/** Where history lives: `$TABLEVAULT_HISTFILE`, else `~/.tablevault_history`; empty TABLEVAULT_HISTFILE disables. */
export function historyPath(env: NodeJS.ProcessEnv = process.env): string | null {
  const configured = env['TABLEVAULT_HISTFILE'];
  if (configured !== undefined) return configured === '' ? null : configured;
  return path.join(os.homedir(), '.tablevault_history');
}

/** Entries newest first (readline's order); [] when the file does not exist or cannot be read. */
export function loadHistory(file: string | null): string[] {
  if (file === null) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map(unescapeEntry)
    .reverse()
    .slice(0, HISTORY_SIZE);
}

/** Write `history` (newest first) atomically: a temp file renamed over the old one. Errors are reported, not thrown. */
export function saveHistory(file: string | null, history: readonly string[]): Error | null {
  if (file === null) return null;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const lines = history.slice(0, HISTORY_SIZE).map(escapeEntry).reverse();
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, lines.length === 0 ? '' : `${lines.join('\n')}\n`, { mode: 0o600 });
    renameSync(temp, file);
    return null;
  } catch (error) {
    return error as Error;
  }
}

function escapeEntry(line: string): string {
  return line.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function unescapeEntry(line: string): string {
  return line.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

/**
 * The history entries for the lines of one input (`lines`: from an empty buffer to the line that left it empty again,
 * or to Ctrl-C / exit): each line with the secrets of its statements replaced by `<secret>`. The lines are judged
 * together, so a password on a continuation line, inside a string opened lines earlier, or after a comment is
 * found; statements that parse are masked by their AST, the rest by the unparseable rule (every quoted token). A
 * line that lies wholly inside a masked literal gives '' (no entry).
 */
export function historyLines(lines: readonly string[]): string[] {
  const text = lines.join('\n');
  const spans = [...scriptSecretSpans(text)].sort((a, b) => a.start - b.start);
  const out: string[] = [];
  let lineStart = 0;
  for (const line of lines) {
    out.push(lineOf(text, lineStart, lineStart + line.length, spans));
    lineStart += line.length + 1;
  }
  return out;
}

/** `text[lineStart, lineEnd)` with each span masked; one placeholder in the line where a span begins. */
function lineOf(text: string, lineStart: number, lineEnd: number, spans: readonly SourceSpan[]): string {
  let out = '';
  let at = lineStart;
  for (const span of spans) {
    if (span.end <= at || span.start >= lineEnd) continue;
    const start = Math.max(span.start, at);
    out += text.slice(at, start) + (span.start >= lineStart ? SECRET_PLACEHOLDER : '');
    at = Math.min(span.end, lineEnd);
  }
  return out + text.slice(at, lineEnd);
}
