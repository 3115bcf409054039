/**
 * Which MODIFY COLUMN type changes are allowed, and which need the data rewritten. StarRocks' schema-change matrix
 * (ColumnType.isSchemaChangeAllowed), restricted to changes that keep every stored value exactly: integer
 * widening, integers into DOUBLE where every value is exact, FLOAT → DOUBLE, DATE → DATETIME, longer CHAR/VARCHAR,
 * DECIMAL with no fewer integer or fraction digits, and anything into a string wide enough for its text. Narrowing
 * and lossy changes (BIGINT → DOUBLE, DATETIME → DATE, shorter strings) are refused with StarRocks' messages.
 */
import { ddlError } from '../../errors/index.ts';
import { formatColumnType, type ColumnType, TYPE_LIMITS } from '../../types/column-type.ts';

type Name = ColumnType['name'];

const INTEGERS: readonly Name[] = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'LARGEINT'];

/** Widest text of a value of each type: a string column must hold it (StarRocks' "wider type" rule). */
function textWidth(t: ColumnType): number | undefined {
  switch (t.name) {
    case 'TINYINT':
      return 4;
    case 'SMALLINT':
      return 6;
    case 'INT':
      return 11;
    case 'BIGINT':
      return 20;
    case 'LARGEINT':
      return 40;
    case 'FLOAT':
    case 'DOUBLE':
      return 24;
    case 'DECIMAL':
      return t.precision + 2;
    case 'DATE':
      return 10;
    case 'DATETIME':
      return 26;
    case 'CHAR':
    case 'VARCHAR':
      return t.length;
    case 'STRING':
      return TYPE_LIMITS.stringLength;
    case 'BOOLEAN':
      return undefined;
  }
}

const isString = (t: ColumnType): boolean => t.name === 'CHAR' || t.name === 'VARCHAR' || t.name === 'STRING';
const lengthOf = (t: ColumnType): number => (t.name === 'STRING' ? TYPE_LIMITS.stringLength : (t as { length: number }).length);

/** Throw StarRocks' message when `from` cannot become `to` without losing data. */
export function checkTypeChange(from: ColumnType, to: ColumnType): void {
  const refuse = (): never => {
    throw ddlError(`Can not change ${formatColumnType(from)} to ${formatColumnType(to)}`);
  };
  if (isString(from) && isString(to)) {
    if (from.name === 'STRING' && to.name !== 'STRING') refuse();
    if (lengthOf(to) < lengthOf(from)) throw ddlError('Cannot shorten string length');
    if (to.name === 'CHAR' && from.name !== 'CHAR') refuse();
    return;
  }
  if (isString(to)) {
    const width = textWidth(from);
    if (width === undefined) refuse();
    if (lengthOf(to) < (width as number)) {
      throw ddlError(`Can not change from wider type ${formatColumnType(from)} to narrower type ${formatColumnType(to)}`);
    }
    return;
  }
  const fi = INTEGERS.indexOf(from.name);
  const ti = INTEGERS.indexOf(to.name);
  if (fi >= 0 && ti >= 0) {
    if (ti < fi) refuse();
    return;
  }
  if (fi >= 0 && to.name === 'DOUBLE' && fi <= INTEGERS.indexOf('INT')) return;
  if (fi >= 0 && to.name === 'FLOAT' && fi <= INTEGERS.indexOf('SMALLINT')) return;
  if (fi >= 0 && to.name === 'DECIMAL' && to.precision - to.scale >= (textWidth(from) as number) - 1) return;
  if (from.name === 'FLOAT' && to.name === 'DOUBLE') return;
  if (from.name === 'DATE' && to.name === 'DATETIME') return;
  if (from.name === 'DECIMAL' && to.name === 'DECIMAL') {
    if (to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale) return;
    refuse();
  }
  if (from.name === to.name) return;
  refuse();
}

/** Whether stored values of `from` must be rewritten to read as `to` (the storage layer decides: see schema-map). */
export { needsRewrite } from '../../storage/schema-map.ts';
