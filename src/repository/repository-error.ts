import { isBrokerError } from '../brokers/broker.ts';

/**
 * StarRocks' Status.ErrCode values a repository operation can fail with; jobs render them into SHOW BACKUP /
 * SHOW RESTORE's Status column as `[CODE, msg: <message>]`.
 */
export type RepositoryErrorCode = 'COMMON_ERROR' | 'NOT_FOUND' | 'BAD_FILE' | 'BAD_CONNECTION';

/**
 * A failed repository operation. `message` is StarRocks' inner error text, exactly (e.g.
 * `Expected one file with path: <p>. get: 0`); the SQL layer adds its own wrapper where StarRocks does.
 */
export class RepositoryError extends Error {
  override name = 'RepositoryError';
  /** StarRocks status code. */
  readonly code: RepositoryErrorCode;
  /** Whether retrying the same call may succeed (network trouble), as reported by the broker. */
  readonly retryable: boolean;

  constructor(code: RepositoryErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, { cause: options?.cause });
    this.code = code;
    this.retryable = options?.retryable ?? false;
  }
}

export function isRepositoryError(error: unknown): error is RepositoryError {
  return error instanceof RepositoryError;
}

/**
 * Turn a broker failure into a RepositoryError carrying the broker's message (brokers keep secrets out of their
 * messages). Aborts are rethrown unchanged so callers can tell cancellation from failure.
 */
export function fromBrokerError(error: unknown): Error {
  if (isBrokerError(error)) {
    if (error.code === 'ABORTED') return error;
    const code: RepositoryErrorCode =
      error.code === 'NOT_FOUND' ? 'NOT_FOUND' : error.code === 'UNREACHABLE' ? 'BAD_CONNECTION' : 'COMMON_ERROR';
    return new RepositoryError(code, error.message, { cause: error, retryable: error.retryable });
  }
  if (error instanceof RepositoryError) return error;
  if (error instanceof Error && error.name === 'AbortError') return error;
  return new RepositoryError('COMMON_ERROR', error instanceof Error ? error.message : String(error), { cause: error });
}
