import { BrokerError } from '../broker.ts';
import { abortedError, isAbortError } from '../streams.ts';

/** Translate AWS SDK / lib-storage / socket errors into BrokerError codes the repository layer can act on. */

interface SdkErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly Code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $fault?: string;
}

const NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket']);
const DENIED_NAMES = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden', 'ExpiredToken', 'InvalidToken']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ESOCKETTIMEDOUT']);

/** The HTTP status of a failed SDK call, if the server answered. */
export function httpStatusOf(error: unknown): number | undefined {
  return (error as SdkErrorShape | null)?.$metadata?.httpStatusCode;
}

/** The S3 error code (`NoSuchKey`, `SlowDown`, …) of a failed SDK call. */
export function s3ErrorName(error: unknown): string | undefined {
  const e = error as SdkErrorShape | null;
  return e?.Code ?? e?.name;
}

export function mapS3Error(error: unknown, key: string, bucket: string, signal?: AbortSignal): BrokerError {
  if (error instanceof BrokerError) return error;
  if (signal?.aborted || isAbortError(error)) return abortedError(key, error);
  const e = (error ?? {}) as SdkErrorShape;
  const name = s3ErrorName(error) ?? '';
  const status = httpStatusOf(error);
  const detail = `${name || 'Error'}${status === undefined ? '' : ` (HTTP ${status})`}: ${e.message ?? String(error)}`;
  if (name === 'NoSuchBucket') {
    return new BrokerError('NOT_FOUND', `The bucket "${bucket}" does not exist (${detail}). Create it or fix the repository location.`, {
      key,
      retryable: false,
      cause: error,
    });
  }
  if (NOT_FOUND_NAMES.has(name) || status === 404) {
    return new BrokerError('NOT_FOUND', `No such object: ${JSON.stringify(key)} in bucket "${bucket}".`, { key, retryable: false, cause: error });
  }
  if (DENIED_NAMES.has(name) || status === 403) {
    return new BrokerError('ACCESS_DENIED', `Access denied to ${JSON.stringify(key)} in bucket "${bucket}" (${detail}). Check the access key, secret key and bucket policy.`, {
      key,
      retryable: false,
      cause: error,
    });
  }
  const code = e.code ?? '';
  if (NETWORK_CODES.has(code) || name === 'TimeoutError' || name === 'RequestTimeout' || /ECONNREFUSED|ETIMEDOUT|ENOTFOUND/.test(e.message ?? '')) {
    return new BrokerError('UNREACHABLE', `The object store did not respond for ${JSON.stringify(key)} (${detail}). Check the endpoint and the network.`, {
      key,
      retryable: true,
      cause: error,
    });
  }
  if (status !== undefined && (status >= 500 || status === 429)) {
    return new BrokerError('IO', `The object store failed on ${JSON.stringify(key)} after retries (${detail}).`, { key, retryable: true, cause: error });
  }
  if (status !== undefined && status >= 400) {
    return new BrokerError('IO', `The object store rejected the request for ${JSON.stringify(key)} (${detail}).`, { key, retryable: false, cause: error });
  }
  return new BrokerError('IO', `Object store error on ${JSON.stringify(key)} (${detail}).`, { key, cause: error });
}

/**
 * Whether a failed AbortMultipartUpload just means the server lacks it (s3rver answers 405/501) or the upload is
 * already gone: neither is worth failing the caller's operation for.
 */
export function isIgnorableAbortFailure(error: unknown): boolean {
  const status = httpStatusOf(error);
  const name = s3ErrorName(error);
  return status === 405 || status === 501 || status === 404 || name === 'NoSuchUpload' || name === 'NotImplemented' || name === 'MethodNotAllowed';
}
