export { executeSelect, streamSelect } from './execute-select.ts';
export { selectRowSource, type SelectDeps } from './select-source.ts';
export { arrayRowSource, throwIfAborted, type ResolvedSource, type RowSource, type ScanOptions, type SourceColumn } from './row-source.ts';
export { generateSeries } from './generate-series.ts';
