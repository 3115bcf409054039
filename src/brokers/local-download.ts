import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { WriteResult } from './broker.ts';
import { baseName, tempKeyFor } from './keys.ts';
import { ByteCounter } from './streams.ts';

/** Downloading a remote object into a local file, as every adapter's `downloadFile` does. */

/** A fresh temp path beside `target`: a half-written download never stands under the final name. */
export function localTempPath(target: string): string {
  return path.join(path.dirname(target), baseName(tempKeyFor(path.basename(target))));
}

/**
 * Stream `source` into `localPath` through a fresh temp file beside it, fsync, then rename over the target. On a
 * failure the temp file is removed and the error goes through `mapError` (the adapter's error mapping).
 */
export async function streamToLocalFile(
  source: Readable,
  localPath: string,
  mapError: (error: unknown) => Error,
): Promise<WriteResult> {
  const target = path.resolve(localPath);
  const temp = localTempPath(target);
  const counter = new ByteCounter();
  const handle = await open(temp, 'wx');
  try {
    await pipeline(source, counter, handle.createWriteStream({ flush: true })); // fsync, then the stream closes the handle
    await rename(temp, target);
    return { size: counter.bytes };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw mapError(error);
  }
}
