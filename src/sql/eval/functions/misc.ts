import type { ColumnType } from '../../../types/column-type.ts';
import type { Value } from '../../../types/value.ts';
import { literal } from '../compiled.ts';
import type { EvalContext } from '../context.ts';
import { T } from '../types.ts';
import { arity, type FunctionImpl } from './helpers.ts';

/** Session functions: values come from the EvalContext, read once per statement. */

function session(name: string, read: (ctx: EvalContext) => Value, type: ColumnType = T.VARCHAR): FunctionImpl {
  return (args, _call, ctx) => {
    arity(name, args, 0);
    return literal(read(ctx), type);
  };
}

export const MISC_FUNCTIONS: Readonly<Record<string, FunctionImpl>> = {
  database: session('database', (ctx) => ctx.database() ?? null),
  schema: session('schema', (ctx) => ctx.database() ?? null),
  user: session('user', (ctx) => ctx.user()),
  session_user: session('session_user', (ctx) => ctx.user()),
  system_user: session('system_user', (ctx) => ctx.user()),
  current_user: session('current_user', (ctx) => ctx.currentUser()),
  connection_id: session('connection_id', (ctx) => BigInt(ctx.connectionId()), T.BIGINT),
  version: session('version', (ctx) => ctx.systemVariable('version', 'DEFAULT')),
};
