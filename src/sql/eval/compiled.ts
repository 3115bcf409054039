import type { ColumnType } from '../../types/column-type.ts';
import type { Row, Value } from '../../types/value.ts';

/** An expression ready to run: a closure over one input row plus its statically inferred result type. */
export interface CompiledExpr {
  /** Evaluate against one input row (columns in scope order). */
  readonly evaluate: (row: Row) => Value;
  /** The result type (for result metadata, INSERT … SELECT and implicit casts). */
  readonly type: ColumnType;
  /** False only when the value can never be NULL. */
  readonly nullable: boolean;
  /** True when the value does not depend on the row (literals and their pure combinations). */
  readonly constant: boolean;
  /** True for the bare NULL literal, whose type yields to the other side in CASE/IF/COALESCE. */
  readonly isNull?: boolean;
}

/** Build a CompiledExpr, folding it to a literal when every input is constant (evaluated once, here). */
export function makeExpr(evaluate: (row: Row) => Value, type: ColumnType, inputs: readonly CompiledExpr[], nullable = true): CompiledExpr {
  const constant = inputs.every((i) => i.constant);
  if (constant) {
    const v = evaluate([]);
    return { evaluate: () => v, type, nullable: v === null, constant: true };
  }
  return { evaluate, type, nullable, constant: false };
}

export function literal(value: Value, type: ColumnType): CompiledExpr {
  return { evaluate: () => value, type, nullable: value === null, constant: true, isNull: value === null };
}
