export { Engine, type EngineOptions, type Session, type SessionOptions, type PreparedQuery } from './engine.ts';
export { SqlError, isSqlError } from './errors/index.ts';
export type { StatementResult, ResultSet, OkResult } from './sql/result.ts';
export type { ParameterValue } from './sql/prepared/parameters.ts';
export type { RowStream, StreamedResult, TextRow } from './sql/row-stream.ts';
export type * as Ast from '../grammar/ast.ts';
