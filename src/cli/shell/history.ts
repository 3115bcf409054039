/**
 * Persistent line history: `~/.tablevault_history` (or `$TABLEVAULT_HISTFILE`), oldest line first, one per line, as
 * readline keeps it. Written after every entered line, so a killed shell loses nothing. Lines are stored with
 * newlines escaped (`\n`), so one entry always stays one line of the file.
 *
 * A line is kept as `historyEntry` makes it: with the secrets of its statement masked (`<secret>`), judged on the
 * whole statement typed so far, so a password on a continuation line, inside a string opened lines earlier, or after
 * a comment is masked too. Neither the file nor Up-arrow recall ever holds a credential typed at the prompt.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scriptSecretSpans, SECRET_PLACEHOLDER, unparsedSecretSpans, type SourceSpan } from '../../../grammar/index.ts';
import type { OpenConstruct } from './statement-scanner.ts';

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

/** Past this much statement text a line is judged alone (from what is open where it starts), not parsed again. */
const MAX_CONTEXT = 16 * 1024;

/** What re-opens, at the start of a line typed alone, the construct the previous line left open. */
const OPENERS: Readonly<Record<OpenConstruct, string>> = { none: '', "'": "'", '"': '"', '`': '`', '/*': '/*' };

/**
 * The history entry for `line`, typed after `pending` (the unfinished statement before it, '' when none; `open` is
 * what `pending` leaves open): the line with the secrets of its statement replaced by `<secret>`. The statement so far
 * is parsed and its AST says which literals are credentials; while it does not parse (yet), every quoted token is
 * masked. A line that lies wholly inside a masked literal gives '' (no entry).
 */
export function historyEntry(pending: string, open: OpenConstruct, line: string): string {
  let context: string;
  let spans: SourceSpan[];
  if (pending.length + line.length <= MAX_CONTEXT) {
    context = pending === '' ? line : `${pending}\n${line}`;
    spans = scriptSecretSpans(context);
  } else {
    // A very long statement (a pasted INSERT): the line alone, with every quoted token masked.
    context = OPENERS[open] + line;
    spans = unparsedSecretSpans(context);
  }
  return lineOf(context, context.length - line.length, spans);
}

/** The text from `lineStart` to the end of `context`, each span masked; one placeholder where a span begins. */
function lineOf(context: string, lineStart: number, spans: readonly SourceSpan[]): string {
  let out = '';
  let at = lineStart;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    const end = Math.min(span.end, context.length);
    if (end <= at) continue;
    const start = Math.max(span.start, at);
    out += context.slice(at, start) + (span.start >= lineStart ? SECRET_PLACEHOLDER : '');
    at = end;
  }
  return out + context.slice(at);
}
