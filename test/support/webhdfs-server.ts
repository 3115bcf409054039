import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * An in-process WebHDFS NameNode + DataNode over a temp directory, speaking the REST protocol as Hadoop 3 does
 * (https://hadoop.apache.org/docs/stable/hadoop-project-dist/hadoop-hdfs/WebHDFS.html): CREATE and OPEN answer 307
 * with a DataNode Location (here `/datanode/webhdfs/v1/…` on the same port), metadata calls answer JSON
 * (FileStatus, FileStatuses, DirectoryListing, boolean), errors are RemoteException JSON with Hadoop's exception
 * names and HTTP codes, and `user.name` is required. Like HDFS, a file is visible while the DataNode writes it,
 * RENAME never replaces an existing file, and DELETE refuses a non-empty directory unless recursive.
 */

export interface WebHdfsServerOptions {
  /** Users allowed to do anything; any other `user.name` gets AccessControlException. Default: everyone. */
  readonly allowedUsers?: readonly string[];
  /** Entries per LISTSTATUS_BATCH answer (HDFS: dfs.ls.limit, default 1000). */
  readonly listBatchSize?: number;
}

export interface WebHdfsRequestRecord {
  readonly method: string;
  readonly op: string;
  /** HDFS path. */
  readonly path: string;
  /** Served by the DataNode half. */
  readonly datanode: boolean;
}

export interface WebHdfsTestServer {
  readonly port: number;
  /** `hdfs://127.0.0.1:PORT` — append a path for a repository location. */
  readonly url: string;
  /** Directory holding the file system's contents. */
  readonly root: string;
  /** Every request so far (for asserting on the protocol). */
  readonly requests: readonly WebHdfsRequestRecord[];
  close(): Promise<void>;
}

class RemoteException extends Error {
  readonly status: number;
  readonly exception: string;
  readonly javaClassName: string;
  constructor(status: number, exception: string, javaClassName: string, message: string) {
    super(message);
    this.status = status;
    this.exception = exception;
    this.javaClassName = javaClassName;
  }
}

const notFound = (p: string) => new RemoteException(404, 'FileNotFoundException', 'java.io.FileNotFoundException', `File does not exist: ${p}`);
const ioError = (exception: string, javaClassName: string, message: string) => new RemoteException(403, exception, javaClassName, message);
const badParam = (message: string) => new RemoteException(400, 'IllegalArgumentException', 'java.lang.IllegalArgumentException', message);

const GET_OPS = new Set(['OPEN', 'GETFILESTATUS', 'LISTSTATUS', 'LISTSTATUS_BATCH']);
const PUT_OPS = new Set(['CREATE', 'MKDIRS', 'RENAME']);
const DELETE_OPS = new Set(['DELETE']);

export async function startWebHdfsServer(options: WebHdfsServerOptions = {}): Promise<WebHdfsTestServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-webhdfs-'));
  const requests: WebHdfsRequestRecord[] = [];
  const batchSize = options.listBatchSize ?? 1000;
  let port = 0;

  const local = (hdfsPath: string): string => path.join(root, ...hdfsPath.split('/').filter((s) => s !== ''));

  async function fileStatus(hdfsPath: string, pathSuffix: string, user: string): Promise<Record<string, unknown>> {
    const s = await fsp.stat(local(hdfsPath));
    const isDir = s.isDirectory();
    return {
      accessTime: isDir ? 0 : s.atimeMs | 0,
      blockSize: isDir ? 0 : 134217728,
      childrenNum: isDir ? (await fsp.readdir(local(hdfsPath))).length : 0,
      fileId: s.ino,
      group: 'supergroup',
      length: isDir ? 0 : s.size,
      modificationTime: Math.floor(s.mtimeMs),
      owner: user,
      pathSuffix,
      permission: isDir ? '755' : '644',
      replication: isDir ? 0 : 3,
      storagePolicy: 0,
      type: isDir ? 'DIRECTORY' : 'FILE',
    };
  }

  async function exists(hdfsPath: string): Promise<fs.Stats | null> {
    return fsp.stat(local(hdfsPath)).catch(() => null);
  }

  async function children(hdfsPath: string, user: string): Promise<Record<string, unknown>[]> {
    const s = await exists(hdfsPath);
    if (s === null) throw notFound(hdfsPath);
    if (!s.isDirectory()) return [await fileStatus(hdfsPath, '', user)];
    // HDFS lists a directory in byte order of the names.
    const names = (await fsp.readdir(local(hdfsPath))).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const out: Record<string, unknown>[] = [];
    for (const name of names) {
      const child = `${hdfsPath.replace(/\/$/, '')}/${name}`;
      if ((await exists(child)) !== null) out.push(await fileStatus(child, name, user));
    }
    return out;
  }

  function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  function dataNodeLocation(hdfsPath: string, params: URLSearchParams): string {
    const forwarded = new URLSearchParams(params);
    forwarded.set('namenoderpcaddress', `127.0.0.1:${port}`);
    return `http://127.0.0.1:${port}/datanode/webhdfs/v1${encodePath(hdfsPath)}?${forwarded.toString()}`;
  }

  async function nameNode(req: http.IncomingMessage, res: http.ServerResponse, op: string, hdfsPath: string, params: URLSearchParams, user: string): Promise<void> {
    switch (op) {
      case 'GETFILESTATUS': {
        if ((await exists(hdfsPath)) === null) throw notFound(hdfsPath);
        return send(res, 200, { FileStatus: await fileStatus(hdfsPath, '', user) });
      }
      case 'LISTSTATUS':
        return send(res, 200, { FileStatuses: { FileStatus: await children(hdfsPath, user) } });
      case 'LISTSTATUS_BATCH': {
        const all = await children(hdfsPath, user);
        const startAfter = params.get('startAfter');
        const from = startAfter === null ? 0 : all.findIndex((s) => Buffer.compare(Buffer.from(String(s['pathSuffix'])), Buffer.from(startAfter)) > 0);
        const rest = from < 0 ? [] : all.slice(from);
        const page = rest.slice(0, batchSize);
        return send(res, 200, { DirectoryListing: { partialListing: { FileStatuses: { FileStatus: page } }, remainingEntries: rest.length - page.length } });
      }
      case 'MKDIRS': {
        const s = await exists(hdfsPath);
        if (s !== null && !s.isDirectory()) throw ioError('FileAlreadyExistsException', 'org.apache.hadoop.fs.FileAlreadyExistsException', `Path is not a directory: ${hdfsPath}`);
        await fsp.mkdir(local(hdfsPath), { recursive: true });
        return send(res, 200, { boolean: true });
      }
      case 'CREATE': {
        const overwrite = (params.get('overwrite') ?? 'false') === 'true';
        const s = await exists(hdfsPath);
        if (s?.isDirectory()) throw ioError('FileAlreadyExistsException', 'org.apache.hadoop.fs.FileAlreadyExistsException', `${hdfsPath} already exists as a directory`);
        if (s !== null && !overwrite) throw ioError('FileAlreadyExistsException', 'org.apache.hadoop.fs.FileAlreadyExistsException', `${hdfsPath} for client 127.0.0.1 already exists`);
        req.resume();
        return send(res, 307, undefined, { location: dataNodeLocation(hdfsPath, params) });
      }
      case 'OPEN': {
        const s = await exists(hdfsPath);
        if (s === null) throw notFound(hdfsPath);
        if (s.isDirectory()) throw new RemoteException(404, 'FileNotFoundException', 'java.io.FileNotFoundException', `Path is not a file: ${hdfsPath}`);
        return send(res, 307, undefined, { location: dataNodeLocation(hdfsPath, params) });
      }
      case 'RENAME': {
        const destination = params.get('destination');
        if (destination === null || !destination.startsWith('/')) throw badParam('Invalid value for webhdfs parameter "destination": must be an absolute path');
        return send(res, 200, { boolean: await renamePath(hdfsPath, destination) });
      }
      case 'DELETE': {
        const s = await exists(hdfsPath);
        if (s === null || hdfsPath === '/') return send(res, 200, { boolean: false });
        if (s.isDirectory() && params.get('recursive') !== 'true' && (await fsp.readdir(local(hdfsPath))).length > 0) {
          throw ioError('PathIsNotEmptyDirectoryException', 'org.apache.hadoop.fs.PathIsNotEmptyDirectoryException', `\`${hdfsPath} is non empty': Directory is not empty`);
        }
        await fsp.rm(local(hdfsPath), { recursive: true, force: true });
        return send(res, 200, { boolean: true });
      }
    }
  }

  /** HDFS rename semantics (the old `rename(src, dst)` WebHDFS uses): false instead of replacing. */
  async function renamePath(from: string, to: string): Promise<boolean> {
    const src = await exists(from);
    if (src === null || from === '/') return false;
    let target = to;
    const dst = await exists(target);
    if (dst?.isDirectory()) target = `${to.replace(/\/$/, '')}/${path.posix.basename(from)}`; // moves *into* a directory
    if ((await exists(target)) !== null) return false;
    const parent = await exists(path.posix.dirname(target));
    if (parent === null || !parent.isDirectory()) return false;
    if (src.isDirectory()) {
      await fsp.rename(local(from), local(target));
      return true;
    }
    // The NameNode decides atomically; requests here interleave between the check above and the move, so a file is
    // moved by link(2) (EEXIST when another RENAME took the name meanwhile) and unlink, never replacing one.
    try {
      await fsp.link(local(from), local(target));
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EEXIST') return false;
      throw error;
    }
    await fsp.unlink(local(from));
    return true;
  }

  async function dataNode(req: http.IncomingMessage, res: http.ServerResponse, op: string, hdfsPath: string, params: URLSearchParams): Promise<void> {
    if (op === 'CREATE') {
      await fsp.mkdir(path.dirname(local(hdfsPath)), { recursive: true });
      // Written in place, like HDFS: readers see the file (growing) before the writer closes it.
      try {
        await pipeline(req, fs.createWriteStream(local(hdfsPath)));
      } catch {
        return; // client went away: the partial file stays, as after an HDFS lease recovery
      }
      return send(res, 201, undefined, { location: `hdfs://127.0.0.1:${port}${hdfsPath}` });
    }
    // OPEN
    const s = await exists(hdfsPath);
    if (s === null || s.isDirectory()) throw notFound(hdfsPath);
    const offset = Number(params.get('offset') ?? '0');
    const lengthParam = params.get('length');
    if (!Number.isSafeInteger(offset) || offset < 0) throw badParam(`Invalid value for webhdfs parameter "offset": ${params.get('offset')}`);
    if (offset > s.size) throw ioError('IOException', 'java.io.IOException', `Offset=${offset} out of the range [0, ${s.size}); OPEN, path=${hdfsPath}`);
    const end = lengthParam === null ? s.size : Math.min(s.size, offset + Number(lengthParam));
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': end - offset });
    if (end === offset) return void res.end();
    await pipeline(fs.createReadStream(local(hdfsPath), { start: offset, end: end - 1 }), res).catch(() => undefined);
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const datanode = url.pathname.startsWith('/datanode/');
        const prefix = datanode ? '/datanode/webhdfs/v1' : '/webhdfs/v1';
        if (!url.pathname.startsWith(prefix)) throw new RemoteException(404, 'FileNotFoundException', 'java.io.FileNotFoundException', `Not a WebHDFS path: ${url.pathname}`);
        const hdfsPath = decodeURIComponent(url.pathname.slice(prefix.length)) || '/';
        if (hdfsPath.split('/').some((s) => s === '..' || s === '.')) throw badParam(`Invalid path name ${hdfsPath}`);
        const op = (url.searchParams.get('op') ?? '').toUpperCase();
        requests.push({ method: req.method ?? '', op, path: hdfsPath, datanode });
        const allowed = req.method === 'GET' ? GET_OPS : req.method === 'PUT' ? PUT_OPS : req.method === 'DELETE' ? DELETE_OPS : new Set<string>();
        if (!allowed.has(op)) {
          const kind = req.method === 'GET' ? 'GetOpParam' : req.method === 'PUT' ? 'PutOpParam' : req.method === 'DELETE' ? 'DeleteOpParam' : 'PostOpParam';
          throw badParam(`Invalid value for webhdfs parameter "op": No enum constant org.apache.hadoop.hdfs.web.resources.${kind}.Op.${op}`);
        }
        const user = url.searchParams.get('user.name');
        if (user === null || user === '') {
          throw new RemoteException(401, 'SecurityException', 'java.lang.SecurityException', 'Failed to obtain user group information: java.io.IOException: Security enabled but user not authenticated by filter');
        }
        if (options.allowedUsers !== undefined && !options.allowedUsers.includes(user)) {
          const access = req.method === 'GET' ? 'READ_EXECUTE' : 'WRITE';
          throw new RemoteException(403, 'AccessControlException', 'org.apache.hadoop.security.AccessControlException', `Permission denied: user=${user}, access=${access}, inode="${hdfsPath}":hdfs:supergroup:drwxr-xr-x`);
        }
        if (datanode) await dataNode(req, res, op, hdfsPath, url.searchParams);
        else await nameNode(req, res, op, hdfsPath, url.searchParams, user);
      } catch (error) {
        req.resume();
        if (res.headersSent) return void res.destroy();
        if (error instanceof RemoteException) {
          send(res, error.status, { RemoteException: { exception: error.exception, javaClassName: error.javaClassName, message: error.message } });
        } else {
          send(res, 500, { RemoteException: { exception: 'IOException', javaClassName: 'java.io.IOException', message: String(error) } });
        }
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `hdfs://127.0.0.1:${port}`,
    root,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

function encodePath(hdfsPath: string): string {
  return hdfsPath.split('/').map(encodeURIComponent).join('/');
}
