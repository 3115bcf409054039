import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

import { isIgnorableAbortFailure } from './s3-errors.ts';

/** Server-side copy of one object, the first half of rename on an object store. */

/** CopyObject's hard limit: larger objects must be copied part by part (UploadPartCopy). */
export const SINGLE_COPY_LIMIT = 5 * 1024 ** 3;

/** Part size for multipart copies: 512 MiB keeps a 5 TiB object under the 10,000-part limit. */
const COPY_PART_SIZE = 512 * 1024 ** 2;

/**
 * The `x-amz-copy-source` value. S3 URL-decodes it; s3rver runs it through decodeURI, which leaves reserved
 * characters encoded, so only characters that would break the header or be read as a query (`?`, `#`, `%`) and
 * non-ASCII are escaped — that form decodes identically on both.
 */
export function copySource(bucket: string, key: string): string {
  return encodeURI(`${bucket}/${key}`).replace(/\?/g, '%3F').replace(/#/g, '%23');
}

export interface CopyArgs {
  readonly client: S3Client;
  readonly bucket: string;
  readonly from: string;
  readonly to: string;
  /** Size of the source object (decides single vs multipart copy). */
  readonly size: number;
  readonly signal: AbortSignal | undefined;
}

export async function copyObject(args: CopyArgs): Promise<void> {
  const { client, bucket, from, to, size, signal } = args;
  const send = signal === undefined ? {} : { abortSignal: signal };
  if (size <= SINGLE_COPY_LIMIT) {
    await client.send(new CopyObjectCommand({ Bucket: bucket, Key: to, CopySource: copySource(bucket, from) }), send);
    return;
  }
  // Objects above 5 GiB: multipart copy, parts in sequence (each one is a server-side copy, so the client's
  // bandwidth is not the bottleneck). s3rver answers UploadPartCopy with NotImplemented; real S3/MinIO support it.
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: to }), send);
  try {
    const parts: { ETag: string; PartNumber: number }[] = [];
    for (let offset = 0, part = 1; offset < size; offset += COPY_PART_SIZE, part++) {
      const last = Math.min(offset + COPY_PART_SIZE, size) - 1;
      const result = await client.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: to,
          UploadId,
          PartNumber: part,
          CopySource: copySource(bucket, from),
          CopySourceRange: `bytes=${offset}-${last}`,
        }),
        send,
      );
      parts.push({ ETag: result.CopyPartResult?.ETag ?? '', PartNumber: part });
    }
    await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId, MultipartUpload: { Parts: parts } }), send);
  } catch (error) {
    await abortUpload(client, bucket, to, UploadId);
    throw error;
  }
}

/**
 * Best-effort AbortMultipartUpload after a failed upload or copy, so the parts stop costing storage. Returns false
 * when the server does not implement it (s3rver: 405) or refused: the caller's own error is what matters, so this
 * never throws. Buckets should also carry a lifecycle rule for incomplete uploads.
 */
export async function abortUpload(client: S3Client, bucket: string, key: string, uploadId: string | undefined): Promise<boolean> {
  if (uploadId === undefined) return true;
  try {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    return true;
  } catch (error) {
    return isIgnorableAbortFailure(error) && httpIsGone(error);
  }
}

function httpIsGone(error: unknown): boolean {
  // NoSuchUpload means the upload is already gone (success); 405/501 mean the server cannot abort (parts remain).
  return (error as { name?: string }).name === 'NoSuchUpload';
}
