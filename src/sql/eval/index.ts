export { compileExpr, type CompileEnv } from './compile.ts';
export type { CompiledExpr } from './compiled.ts';
export type { EvalContext } from './context.ts';
export { EMPTY_SCOPE, findColumn, resolveColumn, type Scope, type ScopeColumn } from './scope.ts';
export { exprToSql, queryToSql, selectToSql, dataTypeToSql, type SqlTextOptions } from './expr-to-sql.ts';
export { toBool } from './numeric.ts';
export { commonType, castTo } from './types.ts';
export { isAggregateName, SCALAR_FUNCTIONS } from './functions/index.ts';
