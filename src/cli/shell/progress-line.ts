/**
 * The one-line job progress display: `BACKUP snap1  UPLOADING  [#####-----] 48%  12/25 files  1.2/2.5 MiB
 * 96.0 MiB reused  3.1 MiB/s  ETA 1s` (reused: what an incremental BACKUP references instead of uploading). Pure
 * formatting here; `ProgressLine` owns the terminal line (rewritten in place with `\r`, throttled, so a job emitting
 * thousands of events does not flood the terminal).
 */
import type { ProgressEvent } from '../../jobs/progress.ts';
import { truncate } from './display-width.ts';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `0 B`, `1023 B`, `1.5 KiB`, `12.3 MiB`. */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** `7s`, `2m05s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const BAR = 20;

/** The live line for one progress event, cut to `width` columns. */
export function formatProgressLine(e: ProgressEvent, width: number): string {
  const parts = [`${e.kind} ${e.label}`, e.state];
  if (e.bytesTotal > 0) {
    const ratio = Math.min(1, e.bytesDone / e.bytesTotal);
    const filled = Math.round(ratio * BAR);
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${Math.floor(ratio * 100)}%`);
  }
  if (e.filesTotal > 0) parts.push(`${e.filesDone}/${e.filesTotal} files`);
  if (e.bytesTotal > 0) parts.push(`${formatBytes(e.bytesDone)}/${formatBytes(e.bytesTotal)}`);
  // An incremental BACKUP: content the repository already holds is referenced, not uploaded.
  if ((e.bytesReused ?? 0) > 0) parts.push(`${formatBytes(e.bytesReused ?? 0)} reused`);
  if (e.rateBytesPerSec > 0) parts.push(`${formatBytes(e.rateBytesPerSec)}/s`);
  if (e.etaSeconds !== null && !e.done) parts.push(`ETA ${formatDuration(e.etaSeconds)}`);
  return truncate(parts.join('  '), Math.max(10, width - 1));
}

/** The line left on screen when a job ends: `BACKUP snap1 FINISHED: 25 files, 2.5 MiB in 3s`. */
export function formatJobEnd(e: ProgressEvent, elapsedMs: number, detail?: string): string {
  const moved = e.filesTotal > 0 || e.bytesTotal > 0 ? `: ${e.filesDone} files, ${formatBytes(e.bytesDone)} in ${formatDuration(elapsedMs / 1000)}` : '';
  return `${e.kind} ${e.label} ${e.state}${moved}${detail === undefined || detail === '' ? '' : ` (${detail})`}`;
}

/** Where the live line goes: a terminal stream (stdout interactive, stderr in batch mode). */
export interface LineSink {
  write(text: string): void;
  /** Terminal width in columns. */
  readonly columns: number;
}

/** Rewrites one terminal line in place. */
export class ProgressLine {
  #sink: LineSink;
  #minIntervalMs: number;
  #lastDraw = 0;
  #visible = false;
  #pending: ProgressEvent | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(sink: LineSink, minIntervalMs = 100) {
    this.#sink = sink;
    this.#minIntervalMs = minIntervalMs;
  }

  /** Show this event (drawn now, or at the end of the throttle interval — the newest event wins). */
  update(e: ProgressEvent): void {
    this.#pending = e;
    const wait = this.#lastDraw + this.#minIntervalMs - Date.now();
    if (wait <= 0) this.#draw();
    else this.#timer ??= setTimeout(() => this.#draw(), wait);
  }

  /** Replace the live line with a permanent one. */
  finish(text: string): void {
    this.#cancelTimer();
    this.#sink.write(`\r\x1b[2K${text}\n`);
    this.#visible = false;
  }

  /** Erase the live line (the cursor returns to column 0). */
  clear(): void {
    this.#cancelTimer();
    if (this.#visible) this.#sink.write('\r\x1b[2K');
    this.#visible = false;
  }

  #draw(): void {
    this.#cancelTimer();
    const e = this.#pending;
    if (e === null) return;
    this.#lastDraw = Date.now();
    this.#sink.write(`\r\x1b[2K${formatProgressLine(e, this.#sink.columns)}`);
    this.#visible = true;
  }

  #cancelTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
