/** One section of docs/benchmarks.md, produced by a `bench/*.bench.ts` module's `run()`. */
export interface BenchSection {
  /** Section heading. */
  readonly title: string;
  /** Markdown body: what was measured, the numbers, and the reference run beside them. */
  readonly markdown: string;
}

/** Scale factor for quick smoke runs: TABLEVAULT_BENCH_SCALE=0.05 npm run bench. */
export function benchScale(): number {
  const raw = Number(process.env['TABLEVAULT_BENCH_SCALE'] ?? '1');
  return Number.isFinite(raw) && raw > 0 ? raw : 1;
}

/** Format a byte rate as MB/s (10^6 bytes) with one decimal. */
export function mbPerSec(bytes: number, ms: number): string {
  return ms <= 0 ? 'n/a' : (bytes / 1e6 / (ms / 1000)).toFixed(1);
}

/** A markdown table from a header and rows. */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
