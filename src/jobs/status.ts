/**
 * StarRocks' `Status` as SHOW BACKUP / SHOW RESTORE print it: `[OK]` or `[<CODE>, msg: <msg>]`.
 * The codes are `Status.ErrCode` in StarRocks' order (reference §2.5).
 */
export const ERR_CODES = [
  'OK',
  'NOT_FOUND',
  'BAD_FILE',
  'CREATE_REMOTE_PATH_FAILED',
  'IS_DIR',
  'IS_FILE',
  'TIMEOUT',
  'BAD_CONNECTION',
  'COMMON_ERROR',
  'OLAP_VERSION_ALREADY_MERGED',
  'UNSUPPORTED',
] as const;

export type ErrCode = (typeof ERR_CODES)[number];

export interface JobStatus {
  readonly code: ErrCode;
  /** '' for OK. */
  readonly msg: string;
}

export const OK_STATUS: JobStatus = { code: 'OK', msg: '' };

export function isErrCode(value: string): value is ErrCode {
  return (ERR_CODES as readonly string[]).includes(value);
}

/** `[OK]` / `[TIMEOUT, msg: ]` / `[COMMON_ERROR, msg: user cancelled]`. */
export function formatStatus(status: { readonly code: string; readonly msg: string }): string {
  return status.code === 'OK' ? '[OK]' : `[${status.code}, msg: ${status.msg}]`;
}

/**
 * An error a step throws to choose the job's status code (anything else becomes COMMON_ERROR with its message),
 * e.g. `new JobStatusError('OLAP_VERSION_ALREADY_MERGED', 'make snapshot failed, version already merged')`.
 */
export class JobStatusError extends Error {
  override name = 'JobStatusError';
  readonly code: ErrCode;
  /**
   * Retrying cannot help (a lost label reservation): the job is cancelled even in a state whose errors are otherwise
   * retried until the timeout (backup UPLOAD_INFO).
   */
  readonly final: boolean;

  constructor(code: ErrCode, message: string, options?: { cause?: unknown; final?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.final = options?.final ?? false;
  }
}

/** Whether `error` asks for the job to stop even where errors are retried (see JobStatusError.final). */
export function isFinalError(error: unknown): boolean {
  return error instanceof JobStatusError && error.final;
}

/** The Status SHOW BACKUP / SHOW RESTORE show while a state's error is retried: what failed, and that it retries. */
export function retryingStatus(error: unknown, attempt: number, nextInMs: number): JobStatus {
  const status = statusFromError(error);
  return { code: status.code, msg: `${status.msg} (attempt ${attempt} failed; retrying in ${Math.ceil(nextInMs / 1000)} s)` };
}

/** The status a job ends with when `error` stops it. */
export function statusFromError(error: unknown): JobStatus {
  if (error instanceof JobStatusError) return { code: error.code, msg: error.message };
  return { code: 'COMMON_ERROR', msg: error instanceof Error ? error.message : String(error) };
}
