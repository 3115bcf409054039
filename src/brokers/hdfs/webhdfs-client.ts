import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import { BrokerError } from '../broker.ts';
import { abortedError, isAbortError } from '../streams.ts';

/** The WebHDFS REST calls the HDFS adapter needs, over Node's fetch, with RemoteException → BrokerError mapping. */

/** One entry of LISTSTATUS / GETFILESTATUS (the fields we use). */
export interface HdfsFileStatus {
  /** Name inside the listed directory; '' when the status describes the path itself. */
  readonly pathSuffix: string;
  readonly type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  readonly length: number;
  /** Milliseconds since the epoch. */
  readonly modificationTime: number;
}

interface RemoteExceptionBody {
  readonly RemoteException?: { readonly exception?: string; readonly javaClassName?: string; readonly message?: string };
}

export interface WebHdfsEndpoint {
  readonly host: string;
  readonly port: number;
  /** `user.name` for simple authentication; omitted from requests when undefined. */
  readonly user: string | undefined;
}

export class WebHdfsClient {
  readonly #base: string;
  readonly #user: string | undefined;

  constructor(endpoint: WebHdfsEndpoint) {
    this.#base = `http://${endpoint.host}:${endpoint.port}/webhdfs/v1`;
    this.#user = endpoint.user;
  }

  /** URL of `op` on the absolute HDFS path. */
  url(hdfsPath: string, op: string, params: Readonly<Record<string, string>> = {}): string {
    const encoded = hdfsPath.split('/').map(encodeURIComponent).join('/');
    const query = new URLSearchParams({ op, ...params, ...(this.#user === undefined ? {} : { 'user.name': this.#user }) });
    return `${this.#base}${encoded}?${query.toString()}`;
  }

  /** A metadata call that answers JSON (GETFILESTATUS, LISTSTATUS, MKDIRS, RENAME, DELETE). */
  async json<T>(method: 'GET' | 'PUT' | 'DELETE', hdfsPath: string, op: string, params: Readonly<Record<string, string>>, key: string, signal?: AbortSignal): Promise<T> {
    const response = await this.#fetch(this.url(hdfsPath, op, params), { method, ...(signal ? { signal } : {}) }, key, signal);
    if (!response.ok) throw await remoteError(response, key);
    return (await response.json()) as T;
  }

  /**
   * CREATE in WebHDFS's two steps: the NameNode answers 307 with a DataNode Location (Node's fetch cannot replay a
   * streamed body across a redirect, so we do not let it follow), then the body is PUT to the DataNode.
   */
  async create(hdfsPath: string, body: Readable, key: string, signal?: AbortSignal): Promise<void> {
    const first = await this.#fetch(
      this.url(hdfsPath, 'CREATE', { overwrite: 'true' }),
      { method: 'PUT', redirect: 'manual', ...(signal ? { signal } : {}) },
      key,
      signal,
    );
    if (first.status !== 307 && first.status !== 200) throw await remoteError(first, key);
    let location = first.headers.get('location');
    if (first.status === 200 && location === null) {
      // Hadoop 3 with noredirect=true (or a proxy that set it) answers {"Location": …} instead of a 307.
      location = ((await first.json()) as { Location?: string }).Location ?? null;
    } else {
      await first.body?.cancel();
    }
    if (location === null) throw new BrokerError('IO', `The NameNode gave no DataNode location for CREATE of ${JSON.stringify(key)}.`, { key });
    const init = { method: 'PUT', body: body as unknown as RequestInit['body'], duplex: 'half', headers: { 'content-type': 'application/octet-stream' } };
    const second = await this.#fetch(location, { ...init, ...(signal ? { signal } : {}) } as RequestInit, key, signal);
    if (second.status !== 201 && second.status !== 200) throw await remoteError(second, key);
    await second.body?.cancel();
  }

  /** OPEN (the GET redirect to a DataNode is followed); `length` bytes from `offset`. */
  async open(hdfsPath: string, offset: number, length: number | undefined, key: string, signal?: AbortSignal): Promise<Readable> {
    const params: Record<string, string> = { offset: String(offset), ...(length === undefined ? {} : { length: String(length) }) };
    const response = await this.#fetch(this.url(hdfsPath, 'OPEN', params), { method: 'GET', ...(signal ? { signal } : {}) }, key, signal);
    if (!response.ok) throw await remoteError(response, key);
    if (response.body === null) return Readable.from([]);
    return Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
  }

  async #fetch(url: string, init: RequestInit, key: string, signal: AbortSignal | undefined): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (error) {
      throw mapFetchError(error, key, signal);
    }
  }
}

/** Map a transport failure (no HTTP answer) from fetch. */
export function mapFetchError(error: unknown, key: string, signal?: AbortSignal): BrokerError {
  if (error instanceof BrokerError) return error;
  if (signal?.aborted || isAbortError(error)) return abortedError(key, error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new BrokerError('UNREACHABLE', `The WebHDFS server did not respond for ${JSON.stringify(key)} (${detail}). Check the NameNode host and its HTTP port (9870 by default).`, {
    key,
    retryable: true,
    cause: error,
  });
}

/** Turn a non-2xx WebHDFS answer (a RemoteException JSON body) into a BrokerError. */
export async function remoteError(response: Response, key: string): Promise<BrokerError> {
  const text = await response.text().catch(() => '');
  let remote: RemoteExceptionBody['RemoteException'];
  try {
    remote = (JSON.parse(text) as RemoteExceptionBody).RemoteException;
  } catch {
    remote = undefined;
  }
  const exception = remote?.exception ?? '';
  const message = remote?.message ?? (text.slice(0, 200) || response.statusText);
  const detail = `${exception || `HTTP ${response.status}`}: ${message}`;
  if (exception === 'FileNotFoundException' || response.status === 404) {
    return new BrokerError('NOT_FOUND', `No such file in HDFS: ${JSON.stringify(key)} (${detail}).`, { key, retryable: false });
  }
  // WebHDFS answers 403 for every IOException too (FileAlreadyExists, PathIsNotEmptyDirectory…): only the security
  // exceptions, or a bare 401/403 from a proxy, mean access was denied.
  const denied = exception === 'AccessControlException' || exception === 'SecurityException' || response.status === 401 || (response.status === 403 && exception === '');
  if (denied) {
    return new BrokerError('ACCESS_DENIED', `HDFS denied access to ${JSON.stringify(key)} (${detail}). Check the "username" property and the directory permissions.`, {
      key,
      retryable: false,
    });
  }
  if (exception === 'StandbyException' || exception === 'RetriableException' || exception === 'SafeModeException' || response.status === 503) {
    return new BrokerError('UNREACHABLE', `The HDFS NameNode cannot serve ${JSON.stringify(key)} right now (${detail}).`, { key, retryable: true });
  }
  if (exception === 'IllegalArgumentException' || exception === 'UnsupportedOperationException') {
    return new BrokerError('INVALID_ARGUMENT', `WebHDFS rejected the request for ${JSON.stringify(key)} (${detail}).`, { key, retryable: false });
  }
  return new BrokerError('IO', `WebHDFS failed on ${JSON.stringify(key)} (${detail}).`, { key, retryable: response.status >= 500 });
}
