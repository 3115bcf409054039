/**
 * MySQL's diagnostics area: the conditions (errors, warnings, notes) the last statement left, for SHOW WARNINGS,
 * SHOW ERRORS, SHOW COUNT(*) WARNINGS | ERRORS, @@warning_count and @@error_count, and the warning count of OK
 * packets. As in MySQL:
 * - every statement replaces the area with its own conditions, except the diagnostic statements themselves
 *   (SHOW WARNINGS / ERRORS / COUNT(*) …), which leave it as it is;
 * - an error is a condition too: after a failed statement SHOW WARNINGS lists it with Level `Error`, its code and
 *   its message, and it counts in both @@error_count and @@warning_count;
 * - @@warning_count and @@error_count read the area as the statement that reads them began (the previous
 *   statement's counts);
 * - notes (`DROP TABLE IF EXISTS` of a table that is not there) count only while sql_notes is on;
 * - at most max_error_count conditions are kept, the counts stay exact.
 *
 * The area lives beside the session state (a WeakMap), so it goes with the session: COM_RESET_CONNECTION and
 * COM_CHANGE_USER, which start a new session, start with an empty area.
 */
import type { Statement } from '../../grammar/ast.ts';
import { isSqlError } from '../errors/index.ts';
import type { ExecutionContext, SessionState } from './context.ts';

/** One condition, as SHOW WARNINGS prints it. */
export interface Condition {
  readonly level: 'Error' | 'Warning' | 'Note';
  readonly code: number;
  readonly message: string;
}

interface Area {
  conditions: readonly Condition[];
  warningCount: number;
  errorCount: number;
  /** The counts as the running statement began (what @@warning_count / @@error_count read). */
  startWarningCount: number;
  startErrorCount: number;
}

const areas = new WeakMap<SessionState, Area>();
/** Conditions raised by the statement running under each context. */
const pending = new WeakMap<ExecutionContext, Condition[]>();

function areaOf(session: SessionState): Area {
  let area = areas.get(session);
  if (area === undefined) {
    area = { conditions: [], warningCount: 0, errorCount: 0, startWarningCount: 0, startErrorCount: 0 };
    areas.set(session, area);
  }
  return area;
}

/** Statements that read the area without replacing it. */
export function isDiagnosticStatement(statement: Statement | undefined): boolean {
  return statement?.kind === 'ShowWarnings';
}

/** A statement begins: @@warning_count / @@error_count now read what the previous statement left. */
export function beginStatement(session: SessionState): void {
  const area = areaOf(session);
  area.startWarningCount = area.warningCount;
  area.startErrorCount = area.errorCount;
}

/** Raise a warning or note for the statement running under `ctx` (notes are dropped while sql_notes is off). */
export function raiseCondition(ctx: ExecutionContext, condition: Condition): void {
  if (condition.level === 'Note' && ctx.session.variables.get('sql_notes') === 0n) return;
  const list = pending.get(ctx);
  if (list === undefined) pending.set(ctx, [condition]);
  else list.push(condition);
}

/** A note, MySQL's `Note` level (e.g. 1051 for `DROP TABLE IF EXISTS` of a missing table). */
export function raiseNote(ctx: ExecutionContext, code: number, message: string): void {
  raiseCondition(ctx, { level: 'Note', code, message });
}

function maxKept(session: SessionState): number {
  try {
    return Number(session.variables.get('max_error_count'));
  } catch {
    return 64;
  }
}

/**
 * A statement ended (`error` set when it failed; `statement` undefined when it did not even parse). Replaces the
 * area unless the statement is a diagnostic one. Returns the number of conditions it left (for the OK packet).
 */
export function endStatement(session: SessionState, statement: Statement | undefined, ctx: ExecutionContext | undefined, error?: unknown): number {
  const raised = ctx === undefined ? [] : (pending.get(ctx) ?? []);
  if (ctx !== undefined) pending.delete(ctx);
  if (isDiagnosticStatement(statement) && error === undefined) return 0;
  const conditions: Condition[] = [...raised];
  if (error !== undefined) {
    conditions.push(isSqlError(error) ? { level: 'Error', code: error.errno, message: error.message } : { level: 'Error', code: 1105, message: String(error) });
  }
  const area = areaOf(session);
  area.warningCount = conditions.length;
  area.errorCount = conditions.filter((c) => c.level === 'Error').length;
  area.conditions = conditions.slice(0, Math.max(0, maxKept(session)));
  return conditions.length;
}

/** What SHOW WARNINGS / SHOW ERRORS / SHOW COUNT(*) read. */
export function diagnostics(session: SessionState): { readonly conditions: readonly Condition[]; readonly warningCount: number; readonly errorCount: number } {
  return areaOf(session);
}

/** @@warning_count / @@error_count of the running statement. */
export function countsAtStart(session: SessionState): { readonly warningCount: number; readonly errorCount: number } {
  const area = areaOf(session);
  return { warningCount: area.startWarningCount, errorCount: area.startErrorCount };
}
