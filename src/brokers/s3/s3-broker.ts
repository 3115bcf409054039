import { createReadStream } from 'node:fs';
import { readFile, stat as statLocal } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Logger } from 'pino';

import {
  BrokerError,
  type Broker,
  type BrokerCapabilities,
  type BrokerEntry,
  type DeletePrefixOptions,
  type ListOptions,
  type OperationOptions,
  type ReadOptions,
  type WriteOptions,
  type WriteResult,
} from '../broker.ts';
import { baseName, checkKey, checkPrefix, compareKeys } from '../keys.ts';
import { abortedError, ByteCounter, checkRange, guardReadStream, throwIfAborted } from '../streams.ts';
import { streamToLocalFile } from '../local-download.ts';
import { abortUpload, copyObject } from './s3-copy.ts';
import { httpStatusOf, mapS3Error, s3ErrorName } from './s3-errors.ts';

/** Multipart part size: above S3's 5 MiB minimum, and large enough that 10,000 parts reach 80 GiB. */
export const S3_PART_SIZE = 8 * 1024 * 1024;
/** Parts in flight per upload; memory per upload is bounded by PART_QUEUE × PART_SIZE. */
export const S3_PART_QUEUE = 4;
/** DeleteObjects accepts at most 1,000 keys per request. */
const DELETE_BATCH = 1000;

export interface S3BrokerConfig {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix inside the bucket (no leading/trailing `/`), '' for the bucket root. */
  readonly prefix: string;
  /** Safe-to-show location URI. */
  readonly location: string;
  readonly scheme: string;
  readonly logger?: Logger;
}

/**
 * S3-compatible object stores (`s3://`, `s3a://`, `obs://`, `oss://`, `cos://`). PUTs are atomic, so writes go
 * straight to the key; large and streamed bodies use multipart upload with bounded part concurrency; rename is a
 * server-side copy plus delete.
 */
export class S3Broker implements Broker {
  readonly scheme: string;
  readonly location: string;
  // exclusiveCreate false: If-None-Match is sent, but S3-compatible servers may ignore it (s3rver does).
  readonly capabilities: BrokerCapabilities = { atomicWrite: true, cheapRename: false, exclusiveCreate: false };
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #root: string;
  readonly #logger: Logger | undefined;

  constructor(config: S3BrokerConfig) {
    this.#client = config.client;
    this.#bucket = config.bucket;
    this.#root = config.prefix === '' ? '' : `${config.prefix}/`;
    this.location = config.location;
    this.scheme = config.scheme;
    this.#logger = config.logger;
  }

  #objectKey(key: string): string {
    return this.#root + key;
  }

  #error(error: unknown, key: string, signal?: AbortSignal): BrokerError {
    return mapS3Error(error, key, this.#bucket, signal);
  }

  list(prefix: string, options?: ListOptions): AsyncIterable<BrokerEntry> {
    checkPrefix(prefix);
    return this.#list(prefix, options?.recursive === true, options?.signal);
  }

  async *#list(prefix: string, recursive: boolean, signal: AbortSignal | undefined): AsyncGenerator<BrokerEntry> {
    let token: string | undefined;
    do {
      throwIfAborted(signal, prefix);
      let page;
      try {
        page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: this.#objectKey(prefix),
            ...(recursive ? {} : { Delimiter: '/' }),
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
          signal === undefined ? {} : { abortSignal: signal },
        );
      } catch (error) {
        throw this.#error(error, prefix, signal);
      }
      // S3 pages over files and common prefixes together; merge each page's two lists back into key order.
      const items: { sortKey: string; entry: BrokerEntry }[] = [];
      for (const object of page.Contents ?? []) {
        const key = (object.Key ?? '').slice(this.#root.length);
        if (key === '' || key.endsWith('/')) continue; // "directory marker" objects made by consoles and Hadoop
        const entry = { key, name: baseName(key), isDirectory: false, size: object.Size ?? 0 };
        items.push({ sortKey: key, entry: object.LastModified ? { ...entry, modifiedAt: object.LastModified } : entry });
      }
      for (const common of page.CommonPrefixes ?? []) {
        const withSlash = (common.Prefix ?? '').slice(this.#root.length);
        const key = withSlash.replace(/\/$/, '');
        if (key === '') continue;
        items.push({ sortKey: withSlash, entry: { key, name: baseName(key), isDirectory: true, size: 0 } });
      }
      items.sort((a, b) => compareKeys(a.sortKey, b.sortKey));
      for (const item of items) yield item.entry;
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async stat(key: string, options?: OperationOptions): Promise<BrokerEntry | null> {
    checkKey(key);
    const signal = options?.signal;
    throwIfAborted(signal, key);
    try {
      const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) }), sendOptions(signal));
      const entry = { key, name: baseName(key), isDirectory: false, size: head.ContentLength ?? 0 };
      return head.LastModified ? { ...entry, modifiedAt: head.LastModified } : entry;
    } catch (error) {
      const mapped = this.#error(error, key, signal);
      if (mapped.code !== 'NOT_FOUND') throw mapped;
    }
    // No object: it may still be an implicit directory (some key continues with `key/`).
    for await (const entry of this.#list(`${key}/`, true, signal)) {
      void entry;
      return { key, name: baseName(key), isDirectory: true, size: 0 };
    }
    return null;
  }

  async read(key: string, options?: ReadOptions): Promise<Readable> {
    checkKey(key);
    const { start, end } = checkRange(key, options?.start, options?.end);
    const signal = options?.signal;
    throwIfAborted(signal, key);
    if (end !== undefined && end === start) {
      // HTTP cannot express an empty range; confirm the object exists and return nothing.
      if ((await this.stat(key, options)) === null) throw this.#error({ name: 'NotFound' }, key);
      return Readable.from([]);
    }
    const range = start === 0 && end === undefined ? undefined : `bytes=${start}-${end === undefined ? '' : end - 1}`;
    try {
      const response = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key), ...(range === undefined ? {} : { Range: range }) }),
        sendOptions(signal),
      );
      if (!(response.Body instanceof Readable)) throw new BrokerError('IO', `The object store returned no body for ${JSON.stringify(key)}.`, { key });
      return guardReadStream(response.Body, key, (error) => this.#error(error, key, signal), signal);
    } catch (error) {
      // 416: the range starts at or after the end of the object — like a file read past EOF, that is no bytes.
      if (httpStatusOf(error) === 416) return Readable.from([]);
      throw this.#error(error, key, signal);
    }
  }

  async write(key: string, body: Readable | Uint8Array, options?: WriteOptions): Promise<WriteResult> {
    checkKey(key);
    const signal = options?.signal;
    throwIfAborted(signal, key);
    if (body instanceof Uint8Array && body.length <= S3_PART_SIZE) {
      // One PUT with a buffer: the SDK can retry it, and the object appears atomically.
      try {
        await this.#client.send(
          new PutObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key), Body: body, ContentLength: body.length }),
          sendOptions(signal),
        );
      } catch (error) {
        throw this.#error(error, key, signal);
      }
      options?.onProgress?.(body.length);
      return { size: body.length };
    }
    const source = body instanceof Uint8Array ? Readable.from([body]) : body;
    const counter = new ByteCounter(options?.onProgress);
    // The body's errors must reach the uploader (pipe() would swallow them); pipeline forwards them to `counter`.
    pipeline(source, counter).catch(() => undefined);
    await this.#upload(key, counter, signal);
    return { size: counter.bytes };
  }

  /** Multipart (or single-PUT, for small bodies) upload of a stream; a failure or abort leaves no object. */
  async #upload(key: string, body: Readable, signal: AbortSignal | undefined): Promise<void> {
    const controller = new AbortController();
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: this.#objectKey(key), Body: body },
      partSize: S3_PART_SIZE,
      queueSize: S3_PART_QUEUE,
      // We abort the multipart upload ourselves: lib-storage would let a 405 from a server without
      // AbortMultipartUpload (s3rver) replace the real error.
      leavePartsOnError: true,
      abortController: controller,
    });
    const onAbort = (): void => {
      controller.abort();
      body.destroy(abortedError(key, signal?.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
      if (signal?.aborted) throw abortedError(key, signal.reason);
    } catch (error) {
      if (!body.destroyed) body.destroy();
      const uploadId = (upload as unknown as { uploadId?: string }).uploadId;
      const cleaned = await abortUpload(this.#client, this.#bucket, this.#objectKey(key), uploadId);
      if (!cleaned) this.#logger?.warn({ key, bucket: this.#bucket }, 'could not abort the failed multipart upload; its parts remain until a bucket lifecycle rule removes them');
      throw this.#error(error, key, signal);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async uploadFile(localPath: string, key: string, options?: WriteOptions): Promise<WriteResult> {
    checkKey(key);
    let size: number;
    try {
      size = (await statLocal(localPath)).size;
    } catch (error) {
      throw new BrokerError('NOT_FOUND', `Cannot read local file ${JSON.stringify(localPath)}: ${(error as Error).message}.`, { key, cause: error });
    }
    // A file that fits one part goes up as one buffered PUT: the SDK can retry it, and there is no multipart overhead.
    const body = size <= S3_PART_SIZE ? await readFile(localPath) : createReadStream(localPath, { highWaterMark: 1024 * 1024 });
    const result = await this.write(key, body, options);
    if (result.size !== size) throw new BrokerError('IO', `Local file ${JSON.stringify(localPath)} changed size while it was uploaded.`, { key });
    return result;
  }

  async createIfAbsent(key: string, body: Uint8Array, options?: OperationOptions): Promise<boolean> {
    checkKey(key);
    const signal = options?.signal;
    throwIfAborted(signal, key);
    // The HEAD answers the common case on every server; If-None-Match makes S3 itself refuse a key created since
    // (AWS honours it; servers that ignore it leave only the HEAD-to-PUT window open).
    if ((await this.stat(key, options)) !== null) return false;
    try {
      await this.#client.send(
        new PutObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key), Body: body, ContentLength: body.length, IfNoneMatch: '*' }),
        sendOptions(signal),
      );
      return true;
    } catch (error) {
      // 412 Precondition Failed: the key exists. 409 ConditionalRequestConflict: a concurrent conditional write won.
      const status = httpStatusOf(error);
      if (status === 412 || s3ErrorName(error) === 'PreconditionFailed') return false;
      if (status === 409 && s3ErrorName(error) === 'ConditionalRequestConflict') return false;
      throw this.#error(error, key, signal);
    }
  }

  async downloadFile(key: string, localPath: string, options?: OperationOptions): Promise<WriteResult> {
    const source = await this.read(key, options);
    return streamToLocalFile(source, localPath, (error) => this.#error(error, key, options?.signal));
  }

  async rename(from: string, to: string, options?: OperationOptions): Promise<void> {
    checkKey(from);
    checkKey(to);
    const signal = options?.signal;
    const head = await this.stat(from, options);
    if (head === null || head.isDirectory) throw this.#error({ name: 'NotFound' }, from);
    if (from === to) return;
    try {
      await copyObject({ client: this.#client, bucket: this.#bucket, from: this.#objectKey(from), to: this.#objectKey(to), size: head.size, signal });
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(from) }), sendOptions(signal));
    } catch (error) {
      throw this.#error(error, from, signal);
    }
  }

  async delete(key: string, options?: OperationOptions): Promise<void> {
    checkKey(key);
    throwIfAborted(options?.signal, key);
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) }), sendOptions(options?.signal));
    } catch (error) {
      // S3 deletes are idempotent already; a server that says NoSuchKey anyway agrees the key is gone.
      const mapped = this.#error(error, key, options?.signal);
      if (mapped.code !== 'NOT_FOUND' || s3ErrorName(error) === 'NoSuchBucket') throw mapped;
    }
  }

  async deletePrefix(prefix: string, options?: DeletePrefixOptions): Promise<number> {
    checkPrefix(prefix);
    const signal = options?.signal;
    let deleted = 0;
    let batch: string[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const keys = batch;
      batch = [];
      let result;
      try {
        result = await this.#client.send(
          new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: keys.map((k) => ({ Key: k })), Quiet: false } }),
          sendOptions(signal),
        );
      } catch (error) {
        throw this.#error(error, prefix, signal);
      }
      const failed = result.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0];
        throw new BrokerError('IO', `Could not delete ${failed.length} of ${keys.length} objects under ${JSON.stringify(prefix)} (first: ${first?.Key ?? '?'}: ${first?.Code ?? ''} ${first?.Message ?? ''}).`, {
          key: prefix,
        });
      }
      deleted += result.Deleted?.length ?? keys.length;
      options?.onProgress?.();
    };
    for await (const entry of this.#list(prefix, true, signal)) {
      if (batch.length % 100 === 0) options?.onProgress?.();
      batch.push(this.#objectKey(entry.key));
      if (batch.length >= DELETE_BATCH) await flush();
    }
    await flush();
    return deleted;
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}

function sendOptions(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}
