/**
 * UNION [ALL | DISTINCT], INTERSECT [DISTINCT], EXCEPT / MINUS [DISTINCT] (StarRocks refuses ALL for the last two).
 * Columns take the names of the first operand and, position by position, the type all operands share (commonType,
 * the CASE/COALESCE rule); values are cast to it, so `1` and `1.0` are the same row. Rows are equal when every column
 * is equal or both NULL. ORDER BY / LIMIT on the whole run through the SELECT pipeline over the result.
 */
import type { SelectStmt, SetOperationStmt } from '../../../grammar/ast.ts';
import { analysisError } from '../../errors/index.ts';
import { coerceValue } from '../../types/coerce.ts';
import type { ColumnType } from '../../types/column-type.ts';
import type { Row } from '../../types/value.ts';
import type { CompiledExpr } from '../eval/compiled.ts';
import { commonType } from '../eval/types.ts';
import { tupleKey } from './aggregate.ts';
import { rowCheckpoint } from './checkpoint.ts';
import { HASH_ENTRY_BYTES, keyBytes, memoryTracker, Reservation } from './memory.ts';
import type { RowSource, SourceColumn } from './row-source.ts';
import { selectOverSource, selectRowSource, type SelectDeps } from './select-source.ts';

const OUT_BATCH = 1024;

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A row's identity for DISTINCT semantics. One column: the value itself (every operand was cast to the column's
 * type, so equal values are the same primitive), with a safe bigint as a number (hashing a bigint is slow); several
 * columns: tupleKey's text.
 */
function rowKey(row: Row): unknown {
  if (row.length !== 1) return tupleKey(row);
  const v = row[0];
  return typeof v === 'bigint' && v <= SAFE && v >= -SAFE ? Number(v) : v;
}

function sameType(a: ColumnType, b: ColumnType): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Rows of `source` with each column cast to `types` where its own type differs. */
function castRows(source: RowSource, types: readonly ColumnType[]): (options: Parameters<RowSource['scan']>[0]) => AsyncIterable<readonly Row[]> {
  const casts = source.columns.map((c, i) => (sameType(c.type, types[i] as ColumnType) ? undefined : (types[i] as ColumnType)));
  if (casts.every((c) => c === undefined)) return (options) => source.scan(options);
  return async function* (options) {
    for await (const batch of source.scan(options)) {
      yield batch.map((row) => row.map((v, i) => {
        const to = casts[i];
        return to === undefined || v === null ? v : coerceValue(v, to, { mode: 'cast' });
      }));
    }
  };
}

function typed(c: SourceColumn): CompiledExpr {
  return { evaluate: () => null, type: c.type, nullable: c.nullable, constant: false };
}

/** The set operation's rows (no ORDER BY / LIMIT), with unified column types. */
async function setRows(stmt: SetOperationStmt, deps: SelectDeps): Promise<RowSource> {
  if (!stmt.distinct && stmt.op !== 'UNION') throw analysisError(`${stmt.op} does not support ALL qualifier`);
  const left = await selectRowSource(stmt.left, deps);
  const right = await selectRowSource(stmt.right, deps);
  if (left.columns.length !== right.columns.length) throw analysisError('Operands have unequal number of columns');
  const columns: SourceColumn[] = left.columns.map((l, i) => {
    const r = right.columns[i] as SourceColumn;
    return { name: l.name, type: commonType([typed(l), typed(r)]), nullable: l.nullable || r.nullable };
  });
  const types = columns.map((c) => c.type);
  const leftRows = castRows(left, types);
  const rightRows = castRows(right, types);
  const tracker = memoryTracker(deps.ctx);
  const { op, distinct } = stmt;
  return {
    columns,
    async *scan(options) {
      const scanOptions = options.signal ? { signal: options.signal } : {};
      const check = rowCheckpoint(options.signal);
      const reservation = new Reservation(tracker, `${op}${op === 'UNION' ? ' DISTINCT' : ''} state.`);
      try {
        if (op === 'UNION' && !distinct) {
          yield* leftRows(scanOptions);
          yield* rightRows(scanOptions);
          return;
        }
        if (op === 'UNION') {
          const seen = new Set<unknown>();
          for (const rows of [leftRows, rightRows]) yield* distinctRows(rows(scanOptions), seen, reservation, check);
          return;
        }
        // INTERSECT / EXCEPT: the right operand's distinct rows, then the left streams past them.
        const right = new Set<unknown>();
        for await (const batch of rightRows(scanOptions)) {
          for (const row of batch) {
            const wait = check.pass();
            if (wait) await wait;
            const key = rowKey(row);
            if (!right.has(key)) {
              right.add(key);
              reservation.add(HASH_ENTRY_BYTES + keyBytes(key));
            }
          }
        }
        let out: Row[] = [];
        for await (const batch of leftRows(scanOptions)) {
          for (const row of batch) {
            const wait = check.pass();
            if (wait) await wait;
            const key = rowKey(row);
            if (op === 'INTERSECT') {
              // Deleting what was emitted keeps a left duplicate from matching again.
              if (!right.delete(key)) continue;
            } else {
              if (right.has(key)) continue;
              right.add(key);
              reservation.add(HASH_ENTRY_BYTES + keyBytes(key));
            }
            out.push(row);
            if (out.length >= OUT_BATCH) {
              yield out;
              out = [];
            }
          }
        }
        if (out.length > 0) yield out;
      } finally {
        reservation.release();
      }
    },
  };
}

async function* distinctRows(
  rows: AsyncIterable<readonly Row[]>,
  seen: Set<unknown>,
  reservation: Reservation,
  check: ReturnType<typeof rowCheckpoint>,
): AsyncGenerator<readonly Row[]> {
  for await (const batch of rows) {
    const out: Row[] = [];
    for (const row of batch) {
      const wait = check.pass();
      if (wait) await wait;
      const key = rowKey(row);
      if (seen.has(key)) continue;
      seen.add(key);
      reservation.add(HASH_ENTRY_BYTES + keyBytes(key));
      out.push(row);
    }
    if (out.length > 0) yield out;
  }
}

/** A set operation as a RowSource; ORDER BY / LIMIT over its output columns (names or ordinals). */
export async function setOperationSource(stmt: SetOperationStmt, deps: SelectDeps): Promise<RowSource> {
  const rows = await setRows(stmt, deps);
  if (stmt.orderBy.length === 0 && stmt.limit === undefined) return rows;
  const outer: SelectStmt = {
    kind: 'Select',
    distinct: false,
    items: [{ kind: 'SelectStar' }],
    groupBy: [],
    orderBy: stmt.orderBy,
    ...(stmt.limit === undefined ? {} : { limit: stmt.limit }),
  };
  const scope = { columns: rows.columns.map((c) => ({ name: c.name, qualifiers: [], type: c.type, nullable: c.nullable })) };
  return selectOverSource(outer, { source: rows, scope }, deps);
}

