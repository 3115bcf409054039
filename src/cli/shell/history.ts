/**
 * Persistent line history: `~/.tablevault_history` (or `$TABLEVAULT_HISTFILE`), oldest line first, one per line, as
 * readline keeps it. Written after every entered line, so a killed shell loses nothing. Lines are stored with
 * newlines escaped (`\n`), so one entry always stays one line of the file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
