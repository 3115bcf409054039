import type { BatchRangePartitionDef, FixedRangePartitionDef, LessThanPartitionDef, ListPartitionDef, PartitionValue, RangePartitionItem } from '../../../grammar/ast.ts';
import { ddlError, sqlError } from '../../errors/index.ts';
import { parseLiteralForType } from '../../types/coerce.ts';
import { formatDateParts, formatDateTimeParts, parseDateTimeText } from '../../types/datetime.ts';
import type { Value } from '../../types/value.ts';
import { tupleKey } from '../select/aggregate.ts';
import { addInterval } from '../eval/functions/date.ts';
import { compareBounds, formatBound, formatRange, type LowerBound, type PartitionColumn, type UpperBound } from './partitioning.ts';

/** A range partition before it has an id. */
export interface RangeSpec {
  readonly name: string;
  readonly lower: LowerBound;
  readonly upper: UpperBound;
}

/** A list partition before it has an id. */
export interface ListSpec {
  readonly name: string;
  readonly values: readonly (readonly Value[])[];
}

/** StarRocks' cap on partitions created by one START/END/EVERY clause (max_partitions_in_one_batch). */
export const MAX_BATCH_PARTITIONS = 4096;

function parseUpper(values: readonly PartitionValue[], columns: readonly PartitionColumn[]): UpperBound {
  if (values.length === 0) throw ddlError('Partition value list must not be empty');
  if (values.length > columns.length) throw ddlError(`Partition values number is more than partition column number: ${values.length} > ${columns.length}`);
  if (values[0]?.kind === 'MaxValue') {
    if (values.length > 1 && values.some((v) => v.kind !== 'MaxValue')) throw ddlError('MAXVALUE must be the last partition values');
    return 'MAXVALUE';
  }
  return values.map((v, i) => {
    if (v.kind === 'MaxValue') throw ddlError('tablevault supports MAXVALUE only as the whole upper bound (VALUES LESS THAN MAXVALUE)');
    return parseLiteralForType(v.value, (columns[i] as PartitionColumn).type);
  });
}

function parseLower(values: readonly PartitionValue[], columns: readonly PartitionColumn[]): LowerBound {
  const u = parseUpper(values, columns);
  if (u === 'MAXVALUE') throw ddlError('The lower bound of a partition cannot be MAXVALUE');
  return u;
}

/** Throws StarRocks' `Range … is intersected with range: …` when `candidate` overlaps any existing range. */
export function checkNoOverlap(existing: readonly RangeSpec[], candidate: RangeSpec, columns: readonly PartitionColumn[]): void {
  if (compareBounds(candidate.lower, candidate.upper, columns) >= 0) {
    throw ddlError(`Partition '${candidate.name}': the lower bound ${formatBound(candidate.lower, columns)} must be less than the upper bound ${formatBound(candidate.upper, columns)}`);
  }
  for (const r of existing) {
    const overlaps = compareBounds(candidate.lower, r.upper, columns) < 0 && compareBounds(r.lower, candidate.upper, columns) < 0;
    if (overlaps) throw ddlError(`Range ${formatRange(candidate, columns)} is intersected with range: ${formatRange(r, columns)}`);
  }
}

function checkName(existing: readonly { readonly name: string }[], name: string): void {
  if (existing.some((p) => p.name.toLowerCase() === name.toLowerCase())) throw sqlError('ER_SAME_NAME_PARTITION', `Duplicate partition name ${name}`);
}

function batchName(lower: Value, unit: string | undefined): string {
  const s = String(lower);
  if (unit === undefined) return `p${s.replace(/[^0-9A-Za-z_]/g, '_')}`;
  const digits = s.replace(/[^0-9]/g, '');
  switch (unit) {
    case 'YEAR':
      return `p${digits.slice(0, 4)}`;
    case 'MONTH':
    case 'QUARTER':
      return `p${digits.slice(0, 6)}`;
    case 'WEEK': {
      const p = parseDateTimeText(s);
      if (!p) return `p${digits.slice(0, 8)}`;
      const jan1 = Date.UTC(p.year, 0, 1);
      const week = Math.floor((Date.UTC(p.year, p.month - 1, p.day) - jan1) / (7 * 86_400_000)) + 1;
      return `p${p.year}_${String(week).padStart(2, '0')}`;
    }
    case 'HOUR':
      return `p${digits.slice(0, 10)}`;
    default:
      return `p${digits.slice(0, 8)}`;
  }
}

/** Expand START (…) END (…) EVERY (…) into consecutive ranges named like StarRocks (`p20240101`, `p202401`, `p10`). */
export function expandBatch(def: BatchRangePartitionDef, columns: readonly PartitionColumn[]): RangeSpec[] {
  const col = columns[0];
  if (!col || columns.length !== 1) throw ddlError('Batch partition (START … END … EVERY …) requires exactly one partition column');
  const start = parseLiteralForType(def.start, col.type);
  const end = parseLiteralForType(def.end, col.type);
  if (compareBounds([start], [end], columns) >= 0) throw ddlError(`Batch build partition: START value ${def.start} must be less than END value ${def.end}`);
  if (def.every.value <= 0) throw ddlError('Batch partition EVERY value must be a positive number');
  const out: RangeSpec[] = [];
  const isDate = col.type.name === 'DATE' || col.type.name === 'DATETIME';
  let lower: Value = start;
  while (compareBounds([lower], [end], columns) < 0) {
    if (out.length >= MAX_BATCH_PARTITIONS) throw ddlError(`Batch build partition number exceeds the limit ${MAX_BATCH_PARTITIONS}; use a larger EVERY interval`);
    let next: Value;
    if (def.every.unit !== undefined) {
      if (!isDate) throw ddlError(`Batch partition EVERY with a time unit requires a DATE or DATETIME column, but ${col.name} is ${col.type.name}`);
      const p = parseDateTimeText(String(lower));
      const n = p ? addInterval(p, def.every.value, def.every.unit) : null;
      if (!n) throw ddlError(`Batch partition range leaves the supported date range at ${String(lower)}`);
      next = col.type.name === 'DATE' ? formatDateParts(n) : formatDateTimeParts(n);
    } else {
      if (isDate) throw ddlError('Batch partition EVERY on a DATE/DATETIME column needs a time unit, e.g. EVERY (INTERVAL 1 DAY)');
      if (typeof lower === 'bigint') next = lower + BigInt(def.every.value);
      else if (typeof lower === 'number') next = lower + def.every.value;
      else throw ddlError(`Batch partition EVERY (n) requires an integer column, but ${col.name} is ${col.type.name}`);
    }
    const upper: Value = compareBounds([next], [end], columns) > 0 ? end : next;
    out.push({ name: batchName(lower, def.every.unit), lower: [lower], upper: [upper] });
    lower = upper;
  }
  return out;
}

/**
 * Build the ranges of CREATE TABLE … PARTITION BY RANGE: LESS THAN lists become consecutive ranges (each starting
 * where the previous one ended), fixed ranges are taken as written, batch clauses are expanded; names must be unique
 * and ranges must not overlap.
 */
export function buildRangePartitions(columns: readonly PartitionColumn[], items: readonly RangePartitionItem[]): RangeSpec[] {
  const out: RangeSpec[] = [];
  let previousUpper: LowerBound = 'MINVALUE';
  for (const item of items) {
    const specs: RangeSpec[] = [];
    if (item.kind === 'BatchRangePartition') specs.push(...expandBatch(item, columns));
    else if (item.kind === 'FixedRangePartition') specs.push({ name: item.name, lower: parseLower(item.lower, columns), upper: parseUpper(item.upper, columns) });
    else specs.push({ name: item.name, lower: previousUpper, upper: parseUpper(item.upper, columns) });
    for (const s of specs) {
      checkName(out, s.name);
      checkNoOverlap(out, s, columns);
      out.push(s);
      if (s.upper !== 'MAXVALUE') previousUpper = s.upper;
    }
  }
  return out;
}

/**
 * The range an ALTER TABLE … ADD PARTITION creates, checked against the table's existing ranges. A LESS THAN
 * partition starts at the greatest existing upper bound below its own upper bound (or MINVALUE).
 */
export function addRangePartition(columns: readonly PartitionColumn[], existing: readonly RangeSpec[], def: LessThanPartitionDef | FixedRangePartitionDef): RangeSpec {
  checkName(existing, def.name);
  let spec: RangeSpec;
  if (def.kind === 'FixedRangePartition') spec = { name: def.name, lower: parseLower(def.lower, columns), upper: parseUpper(def.upper, columns) };
  else {
    const upper = parseUpper(def.upper, columns);
    let lower: LowerBound = 'MINVALUE';
    for (const r of existing) {
      if (r.upper === 'MAXVALUE') continue;
      if (compareBounds(r.upper, upper, columns) <= 0 && compareBounds(r.upper, lower, columns) > 0) lower = r.upper;
    }
    spec = { name: def.name, lower, upper };
  }
  checkNoOverlap(existing, spec, columns);
  return spec;
}

/** Build list partitions, rejecting duplicate names and a value listed in two partitions. */
export function buildListPartitions(columns: readonly PartitionColumn[], defs: readonly ListPartitionDef[], existing: readonly ListSpec[] = []): ListSpec[] {
  const owner = new Map<string, string>();
  for (const e of existing) for (const t of e.values) owner.set(tupleKey(t), e.name);
  const out: ListSpec[] = [];
  for (const def of defs) {
    checkName([...existing, ...out], def.name);
    if (def.values.length === 0) throw ddlError(`Partition '${def.name}' must list at least one value`);
    const values = def.values.map((tuple) => {
      if (tuple.length !== columns.length) throw ddlError(`Partition '${def.name}': each value must have ${columns.length} element(s), got (${tuple.join(', ')})`);
      const typed = tuple.map((v, i) => parseLiteralForType(v, (columns[i] as PartitionColumn).type));
      const key = tupleKey(typed);
      const prior = owner.get(key);
      if (prior !== undefined) throw ddlError(`Duplicate values (${tuple.map((v) => `'${v}'`).join(', ')}) in partition '${def.name}': already in partition '${prior}'`);
      owner.set(key, def.name);
      return typed;
    });
    out.push({ name: def.name, values });
  }
  return out;
}
