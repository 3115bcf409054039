/**
 * ALTER TABLE … REPLACE PARTITION (p…) WITH TEMPORARY PARTITION (tp…) [PROPERTIES ("strict_range", …)], analysed
 * with StarRocks' rules (OlapTable.replaceTempPartitions / checkTempPartitions): the names must exist on their side;
 * with strict_range (the default) the temporary partitions must cover exactly the ranges (or list values) of the
 * replaced ones; without it they must at least not overlap the formal partitions that stay. use_temp_partition_name
 * (default false) keeps the formal names when as many partitions come in as go out.
 */
import type { PartitionNames, Property } from '../../../grammar/ast.ts';
import { listPartitions, type Catalog, type PartitionMeta, type PartitionReplacement, type TableMeta } from '../../catalog/index.ts';
import { ddlError } from '../../errors/index.ts';
import { compareBounds, type PartitionColumn } from '../partition/index.ts';
import { tupleKey } from '../select/aggregate.ts';
import { listSpecOf, partitionColumns, rangeSpecOf } from './partition-specs.ts';

function bool(props: readonly Property[], key: string, fallback: boolean): boolean {
  const p = props.find((x) => x.key.toLowerCase() === key);
  if (p === undefined) return fallback;
  const v = p.value.trim().toLowerCase();
  if (v !== 'true' && v !== 'false') throw ddlError(`Invalid ${key} value: ${p.value}. It must be true or false`);
  return v === 'true';
}

type Range = { readonly lower: ReturnType<typeof rangeSpecOf>['lower']; readonly upper: ReturnType<typeof rangeSpecOf>['upper'] };

/** Merge ranges into their union, as sorted disjoint ranges. */
function union(ranges: readonly Range[], cols: readonly PartitionColumn[]): Range[] {
  const sorted = [...ranges].sort((a, b) => compareBounds(a.lower, b.lower, cols));
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && compareBounds(r.lower, last.upper, cols) <= 0) {
      if (compareBounds(r.upper, last.upper, cols) > 0) out[out.length - 1] = { lower: last.lower, upper: r.upper };
    } else out.push(r);
  }
  return out;
}

function overlaps(a: Range, b: Range, cols: readonly PartitionColumn[]): boolean {
  return compareBounds(a.lower, b.upper, cols) < 0 && compareBounds(b.lower, a.upper, cols) < 0;
}

/** Resolve and check a REPLACE PARTITION clause into what the catalog swaps. */
export function analyzeReplace(
  catalog: Catalog,
  table: TableMeta,
  formalNames: PartitionNames,
  tempNames: PartitionNames,
  properties: readonly Property[],
): PartitionReplacement {
  if (formalNames.temporary) throw ddlError('REPLACE PARTITION names the formal partitions first: REPLACE PARTITION (p) WITH TEMPORARY PARTITION (tp)');
  if (!tempNames.temporary) throw ddlError('Only support replace partitions with temp partitions: write WITH TEMPORARY PARTITION (…)');
  for (const p of properties) {
    if (!['strict_range', 'use_temp_partition_name'].includes(p.key.toLowerCase())) throw ddlError(`Unknown properties: {${p.key}=${p.value}}`);
  }
  const strict = bool(properties, 'strict_range', true);
  const useTempNames = bool(properties, 'use_temp_partition_name', false);
  const formal = listPartitions(catalog, table.id);
  const temps = listPartitions(catalog, table.id, { temporary: true });
  const pick = (names: readonly string[], from: readonly PartitionMeta[], what: string): PartitionMeta[] => {
    const seen = new Set<string>();
    return names.map((n) => {
      if (seen.has(n)) throw ddlError(`Duplicated partition name ${n} in REPLACE PARTITION`);
      seen.add(n);
      const p = from.find((x) => x.name === n);
      if (p === undefined) throw ddlError(`${what}[${n}] does not exist`);
      return p;
    });
  };
  const out = pick(formalNames.names, formal, 'Partition');
  const into = pick(tempNames.names, temps, 'Temp partition');
  const info = table.partitionInfo;
  if (info.kind === 'UNPARTITIONED') throw ddlError(`Table ${table.name} is not partitioned`);
  const cols = partitionColumns(table.columns, info.columns);
  if (info.kind === 'RANGE') {
    const a = union(out.map((p) => rangeSpecOf(p, cols)), cols);
    const b = union(into.map((p) => rangeSpecOf(p, cols)), cols);
    if (strict) {
      const same = a.length === b.length && a.every((r, i) => compareBounds(r.lower, b[i]!.lower, cols) === 0 && compareBounds(r.upper, b[i]!.upper, cols) === 0);
      if (!same) throw ddlError('Temp partitions\' range must be equal to origin partitions. Set PROPERTIES ("strict_range" = "false") to replace anyway');
    } else {
      const staying = formal.filter((p) => !out.includes(p)).map((p) => rangeSpecOf(p, cols));
      for (const r of b) {
        const hit = staying.find((s) => overlaps(r, s, cols));
        if (hit !== undefined) throw ddlError(`Temp partitions' range overlaps partition ${hit.name}, which is not being replaced`);
      }
    }
  } else {
    const keys = (ps: readonly PartitionMeta[]): Set<string> => new Set(ps.flatMap((p) => listSpecOf(p, cols).values.map((v) => tupleKey(v))));
    const a = keys(out);
    const b = keys(into);
    if (strict && (a.size !== b.size || [...a].some((k) => !b.has(k)))) {
      throw ddlError('Temp partitions\' list values must be equal to origin partitions. Set PROPERTIES ("strict_range" = "false") to replace anyway');
    }
    const staying = keys(formal.filter((p) => !out.includes(p)));
    if ([...b].some((k) => staying.has(k))) throw ddlError('Temp partitions\' list values overlap a partition that is not being replaced');
  }
  const names = new Map<number, string>();
  const keepFormalNames = !useTempNames && out.length === into.length;
  into.forEach((p, i) => names.set(p.id, keepFormalNames ? out[i]!.name : p.name));
  return { tableId: table.id, formalIds: out.map((p) => p.id), temporaryIds: into.map((p) => p.id), names };
}
