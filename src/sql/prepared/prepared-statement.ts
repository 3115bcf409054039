/**
 * Prepared statements, shared by the binary protocol (COM_STMT_PREPARE / EXECUTE, through Session.prepare) and the
 * SQL statements PREPARE / EXECUTE / DEALLOCATE PREPARE (handlers/prepared.ts).
 *
 * Preparing parses the text once (syntax errors and the parameter count are known then) and, for a SELECT, works
 * out its result columns without running it (the binary protocol's prepare reply carries them; drivers such as
 * JDBC's getMetaData read them before any execution). Executing binds the values as typed SQL literals where the `?`
 * markers are (see parameters.ts) and runs that text through the ordinary statement path, so a prepared statement
 * behaves exactly like the same statement written with literals: same privileges, same results, same errors.
 */
import type { Statement } from '../../../grammar/ast.ts';
import { parseStatement } from '../../../grammar/index.ts';
import { prepareText, substitutePlaceholders } from '../../../grammar/placeholders.ts';
import { SqlError } from '../../errors/index.ts';
import type { ColumnType } from '../../types/column-type.ts';
import type { ExecutionContext } from '../context.ts';
import { authorizeStatement } from '../privileges/check.ts';
import { selectRowSource } from '../select/select-source.ts';
import { sessionEvalContext } from '../session-eval-context.ts';
import { tableResolver } from '../table/table-source.ts';
import { parameterExpr, parameterLiteral, type ParameterValue } from './parameters.ts';

/** A result column known at prepare time. */
export interface PreparedColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/** A statement parsed once, executed with different parameter values. */
export interface PreparedStatement {
  /** The text as prepared, with its `?` markers. */
  readonly text: string;
  /** How many `?` markers it has: the number of values each execution must bring. */
  readonly parameterCount: number;
  /** Its result columns, when known before it runs (a SELECT); empty otherwise. */
  readonly columns: readonly PreparedColumn[];
  /** The statement as parsed (markers read as constants). */
  readonly statement: Statement;
  /**
   * The statement to run with `values` in place of the markers, and its text for SHOW PROCESSLIST and logs (the
   * prepared text, markers and all, when the values went into the AST). Throws 1210 for a wrong number of values.
   */
  bind(values: readonly ParameterValue[]): BoundStatement;
}

/** A prepared statement with its values. */
export interface BoundStatement {
  readonly statement: Statement;
  readonly text: string;
}

/** Statements that cannot be prepared: they manage prepared statements themselves (MySQL's ER_UNSUPPORTED_PS). */
const NOT_PREPARABLE: ReadonlySet<Statement['kind']> = new Set(['Prepare', 'ExecutePrepared', 'DeallocatePrepare']);

/** MySQL's 1210 for an execution whose values do not match the markers. */
export function wrongParameterCount(expected: number, got: number): SqlError {
  return new SqlError(1210, 'HY000', `Incorrect arguments to EXECUTE: the statement has ${expected} parameter marker${expected === 1 ? '' : 's'} (?) but ${got} value${got === 1 ? ' was' : 's were'} given`);
}

/**
 * Prepare `text` for the session of `ctx`. With `describe`, a SELECT's result columns are worked out (tables and
 * views resolved, privileges checked as for running it) without reading any row.
 */
export async function prepareStatement(ctx: ExecutionContext, text: string, options: { readonly describe?: boolean } = {}): Promise<PreparedStatement> {
  const prepared = prepareText(text);
  ctx.services.stats.stmtPrepare = (ctx.services.stats.stmtPrepare ?? 0) + 1;
  const { statement, markers } = prepared;
  // Values are written into the expanded text (prepared.text): never into a comment, whatever they hold.
  const textOf = (values: readonly ParameterValue[]): string => substitutePlaceholders(prepared.text, markers, values.map(parameterLiteral));
  if (NOT_PREPARABLE.has(statement.kind)) {
    throw new SqlError(1295, 'HY000', 'This command is not supported in the prepared statement protocol yet: PREPARE, EXECUTE and DEALLOCATE PREPARE cannot themselves be prepared');
  }
  let columns: readonly PreparedColumn[] = [];
  if (options.describe === true && statement.kind === 'Select') {
    authorizeStatement(ctx, statement);
    const evalCtx = sessionEvalContext(ctx);
    const source = await selectRowSource(statement, { resolveTable: tableResolver(ctx, evalCtx), ctx: evalCtx, signal: ctx.signal });
    columns = source.columns.map((c) => ({ name: c.name, type: c.type }));
  }
  return {
    text,
    parameterCount: markers.length,
    columns,
    statement,
    bind: (values) => {
      ctx.services.stats.stmtExecute = (ctx.services.stats.stmtExecute ?? 0) + 1;
      if (values.length !== markers.length) throw wrongParameterCount(markers.length, values.length);
      if (markers.length === 0) return { statement, text };
      const bound = prepared.bindExpressions(values.map(parameterExpr));
      if (bound !== undefined) return { statement: bound, text };
      const boundText = textOf(values);
      return { statement: parseStatement(boundText), text: boundText };
    },
  };
}
