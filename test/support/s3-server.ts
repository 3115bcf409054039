import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

import S3rver from 's3rver';

/**
 * An s3rver 3.7.1 instance on 127.0.0.1 (port 0) over a temp directory, with one bucket, for tests and benches.
 *
 * s3rver builds list continuation tokens with DES, which OpenSSL 3 only has under `--openssl-legacy-provider`:
 * vitest passes that flag (vitest.config.ts); `childProcess: true` starts s3rver in its own Node process with the
 * flag, for callers run without it (the bench) — and so the server does not share the client's event loop.
 */

export interface S3TestServer {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  readonly bucket: string;
  /** s3rver's built-in credentials. */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** `s3://<bucket>` — give it to openBroker with `properties`. */
  readonly location: string;
  /** CREATE REPOSITORY properties that reach this server. */
  readonly properties: Readonly<Record<string, string>>;
  /** s3rver's storage directory (removed by close). */
  readonly directory: string;
  close(): Promise<void>;
}

export interface S3TestServerOptions {
  /** Bucket to create (3–63 characters). Default `tablevault-test`. */
  readonly bucket?: string;
  /** Run s3rver in a child Node process with --openssl-legacy-provider. Default false (in-process). */
  readonly childProcess?: boolean;
}

const ACCESS_KEY = 'S3RVER';

export async function startS3Server(options: S3TestServerOptions = {}): Promise<S3TestServer> {
  const bucket = options.bucket ?? 'tablevault-test';
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-s3rver-'));
  let port: number;
  let stop: () => Promise<void>;
  if (options.childProcess === true) {
    ({ port, stop } = await startChild(directory, bucket));
  } else {
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
    ({ port } = await server.run());
    stop = () => server.close();
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: ACCESS_KEY,
    location: `s3://${bucket}`,
    properties: {
      'aws.s3.endpoint': endpoint,
      'aws.s3.access_key': ACCESS_KEY,
      'aws.s3.secret_key': ACCESS_KEY,
      'aws.s3.region': 'us-east-1',
      'aws.s3.enable_path_style_access': 'true',
    },
    directory,
    async close() {
      await stop();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function startChild(directory: string, bucket: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const s3rverPath = createRequire(import.meta.url).resolve('s3rver');
  const script = `
    const S3rver = require(${JSON.stringify(s3rverPath)});
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: ${JSON.stringify(directory)},
      configureBuckets: [{ name: ${JSON.stringify(bucket)}, configs: [] }] });
    server.run().then(({ port }) => console.log(JSON.stringify({ port })));
    process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
  `;
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`s3rver child exited with code ${String(code)} before listening`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  lines.close();
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
