/**
 * How a session parses one statement: the limits from its variables are checked on the cheap scan first (a
 * 4 MB, 4-million-token statement is refused in milliseconds, before any token object exists); small statements
 * are then parsed right here, anything larger on the parser thread (worker-pool.ts), so no parse holds the event
 * loop for more than a few milliseconds.
 */
import { checkScannedLimits, parseStatement, scanStatements, type ParseLimits, type Statement, type StatementSpan } from '../../../grammar/index.ts';
import { isSqlError } from '../../errors/index.ts';
import type { SessionVariables } from '../variables/index.ts';
import { parseWorker } from './worker-pool.ts';

/** At most this many tokens are parsed on the event loop (measured: ~1000 tokens parse in about 10 ms). */
export const INLINE_MAX_TOKENS = 1000;
/** At most this parenthesis depth is parsed on the event loop (each level costs many stack frames). */
export const INLINE_MAX_DEPTH = 32;
/** At most this many characters are lexed on the event loop (a long literal is one token, but a long scan). */
export const INLINE_MAX_CHARS = 64 * 1024;

/** The parse limits a session's variables set. */
export function parseLimitsOf(variables: SessionVariables): ParseLimits {
  return {
    maxTokens: Number(variables.get('parse_tokens_limit')),
    maxExprDepth: Number(variables.get('expr_depth_limit')),
    maxExprChildren: Number(variables.get('expr_children_limit')),
  };
}

/**
 * Parse one statement's text within `limits`; `signal` (KILL QUERY, query_timeout) stops a parse on the thread.
 * `scanned` is the statement's span when the caller already scanned it (the session does, to split a script).
 */
export async function parseStatementBounded(text: string, limits: ParseLimits, signal: AbortSignal, scanned?: StatementSpan): Promise<Statement> {
  const spans = scanned === undefined ? scanStatements(text, limits.maxTokens) : [scanned];
  const span = spans[0];
  // Empty or several statements: parseStatement reports it (1065 / 1064) at once.
  if (span === undefined || spans.length > 1) return parseStatement(text, limits);
  checkScannedLimits(span, limits);
  if (span.tokens <= INLINE_MAX_TOKENS && span.depth <= INLINE_MAX_DEPTH && text.length <= INLINE_MAX_CHARS) {
    try {
      return parseStatement(text, limits);
    } catch (error) {
      // Unary operators nest without parentheses: a chain too deep for this stack gets the thread's larger one.
      if (!(isSqlError(error) && error.cause instanceof RangeError)) throw error;
    }
  }
  return parseWorker.parse(text, limits, signal);
}
