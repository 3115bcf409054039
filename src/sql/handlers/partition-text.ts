/** How partition bounds are printed: SHOW PARTITIONS' Range column and SHOW CREATE TABLE's partition clauses. */
import type { PartitionBounds, RangeBoundValue } from '../../catalog/index.ts';

/** SHOW PARTITIONS `Range` text, e.g. `[types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2024-02-01]; )`. */
export function describeBounds(bounds: PartitionBounds, columnTypes: readonly string[] = []): string {
  switch (bounds.kind) {
    case 'UNPARTITIONED':
      return '';
    case 'LIST':
      return `(${bounds.values.map((tuple) => (tuple.length === 1 ? `'${tuple[0]}'` : `(${tuple.map((v) => `'${v}'`).join(', ')})`)).join(', ')})`;
    case 'RANGE': {
      const side = (values: readonly RangeBoundValue[]): string =>
        `types: [${values.map((_, i) => columnTypes[i] ?? 'UNKNOWN').join(', ')}]; keys: [${values.map(boundText).join(', ')}]; `;
      return `[${side(bounds.lower)}..${side(bounds.upper)})`;
    }
  }
}

export function boundText(v: RangeBoundValue): string {
  return v.kind === 'literal' ? v.value : v.kind;
}

/** A partition clause for SHOW CREATE TABLE: `PARTITION p1 VALUES [("2024-01-01"), ("2024-02-01"))`. */
export function partitionClause(name: string, bounds: PartitionBounds): string {
  const tuple = (values: readonly RangeBoundValue[]): string =>
    `(${values.map((v) => (v.kind === 'literal' ? `"${v.value.replace(/"/g, '\\"')}"` : v.kind)).join(', ')})`;
  switch (bounds.kind) {
    case 'UNPARTITIONED':
      return '';
    case 'RANGE':
      return `PARTITION ${name} VALUES [${tuple(bounds.lower)}, ${tuple(bounds.upper)})`;
    case 'LIST':
      return `PARTITION ${name} VALUES IN (${bounds.values
        .map((t) => (t.length === 1 ? `"${t[0]}"` : `(${t.map((v) => `"${v}"`).join(', ')})`))
        .join(', ')})`;
  }
}
