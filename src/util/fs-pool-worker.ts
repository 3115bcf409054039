/**
 * The body of an fs-pool worker thread (see fs-pool.ts). It runs as the source of an `eval` worker so that the same
 * code works under tsx, vitest and the compiled package alike; it may therefore use nothing but `require` of Node
 * built-ins and its own scope. Each batch is a list of small file operations run with synchronous calls: a
 * synchronous call in a worker costs the syscall, where the same call from the main thread costs a trip through
 * libuv's thread pool and back through the event loop — for thousands of small files that trip dominates.
 */

/** One operation of a batch. Paths are absolute. */
export type FsOp =
  /** `mkdir -p`. */
  | { readonly op: 'mkdirp'; readonly path: string }
  /**
   * Make `to` name the bytes of `from`: a hard link, or — when links cannot be made (another file system, a file
   * system without links) and `copy` is set — a kernel copy to `tmp` renamed to `to`, so `to` never holds part of a
   * file. An existing `to` is replaced (a link only with `replace`, else EEXIST). Parent directories are created.
   * Result: 'link' or 'copy'.
   */
  | { readonly op: 'put'; readonly from: string; readonly to: string; readonly tmp: string; readonly replace: boolean; readonly copy: boolean; readonly link: boolean }
  /**
   * Copy `from` to `tmp` through memory, hashing the bytes on the way, and rename it to `to` (one pass for a copy
   * that must be verified); an existing `to` is replaced. Result: { size, md5 }.
   */
  | { readonly op: 'copyHash'; readonly from: string; readonly to: string; readonly tmp: string; readonly replace: boolean }
  /** Write `data` to `tmp` (when given, then rename to `path`) or straight to `path`. Result: { size, md5 }. */
  | { readonly op: 'write'; readonly path: string; readonly tmp: string | null; readonly data: string | Uint8Array }
  /** md5 and size of a file. Result: { size, md5 }. */
  | { readonly op: 'md5'; readonly path: string }
  /** Read a small file as UTF-8. */
  | { readonly op: 'readText'; readonly path: string }
  /** Read a small file's bytes. Result: Uint8Array. */
  | { readonly op: 'readBytes'; readonly path: string }
  /** Size and kind of a path, or null when it does not exist. */
  | { readonly op: 'stat'; readonly path: string }
  /** Remove a file; a missing one is not an error. */
  | { readonly op: 'unlink'; readonly path: string }
  /** Remove an empty directory; a missing or non-empty one is not an error. */
  | { readonly op: 'rmdir'; readonly path: string }
  /** `rm -rf`. */
  | { readonly op: 'rmrf'; readonly path: string }
  /** rename(2). */
  | { readonly op: 'rename'; readonly from: string; readonly to: string }
  /** fsync a file or a directory. */
  | { readonly op: 'fsync'; readonly path: string }
  /**
   * Every directory of the tree at `path` with its children (files and directories, sizes and mtimes): one call for a
   * whole recursive listing. Result: TreeListing, or null when `path` is missing or not a directory.
   */
  | { readonly op: 'tree'; readonly path: string };

/** A `tree` op's result: [directory relative to the root ('' is the root, '/' separated), its children]. */
export type TreeListing = [string, { name: string; isDirectory: boolean; size: number; mtimeMs: number }[]][];

/** The outcome of one operation. */
export type FsResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** Messages from the main thread. */
export type ToWorker = { readonly id: number; readonly ops: readonly FsOp[]; readonly cancel: Int32Array };

/** Messages to the main thread. */
export type FromWorker =
  | { readonly type: 'done'; readonly id: number; readonly results: readonly FsResult[] }
  | { readonly type: 'progress'; readonly id: number; readonly ops: number; readonly bytes: number };

/** The worker's main function; its source text is what the pool evaluates in each thread. */
export function fsWorkerMain(): void {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const crypto = require('node:crypto') as typeof import('node:crypto');
  const { parentPort } = require('node:worker_threads') as typeof import('node:worker_threads');
  const buffer = Buffer.allocUnsafe(1 << 20);
  // Links are refused across file systems (EXDEV) and by file systems without them; a copy is the answer then.
  const NO_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS']);

  function codeOf(error: unknown): string {
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === 'string' ? code : 'EIO';
  }

  function hashFile(file: string): { size: number; md5: string } {
    const fd = fs.openSync(file, 'r');
    try {
      const hash = crypto.createHash('md5');
      let size = 0;
      for (;;) {
        const n = fs.readSync(fd, buffer, 0, buffer.length, null);
        if (n === 0) break;
        hash.update(buffer.subarray(0, n));
        size += n;
      }
      return { size, md5: hash.digest('hex') };
    } finally {
      fs.closeSync(fd);
    }
  }

  function removeQuietly(file: string): void {
    try {
      fs.unlinkSync(file);
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw error;
    }
  }

  /** `rm -rf` with one readdir per directory and one unlink per file (fs.rmSync also tries rmdir on each file). */
  function removeTree(dir: string): void {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      const code = codeOf(error);
      if (code === 'ENOENT') return;
      if (code === 'ENOTDIR') return removeQuietly(dir);
      throw error;
    }
    for (const e of entries) {
      const child = path.join(dir, e.name);
      if (e.isDirectory()) removeTree(child);
      else removeQuietly(child);
    }
    try {
      fs.rmdirSync(dir);
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw error;
    }
  }

  /** The `tree` op: directories depth-first; a directory removed during the walk is left out, the root's absence is null. */
  function listTree(root: string): TreeListing | null {
    const out: TreeListing = [];
    const walk = (rel: string): boolean => {
      const dir = rel === '' ? root : path.join(root, rel);
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch (error) {
        const code = codeOf(error);
        if (code === 'ENOENT' || code === 'ENOTDIR') return false;
        throw error;
      }
      const children: TreeListing[number][1] = [];
      for (const name of names) {
        let s;
        try {
          s = fs.statSync(path.join(dir, name));
        } catch {
          continue; // deleted since readdir, or a dangling symlink
        }
        if (!s.isDirectory() && !s.isFile()) continue;
        children.push({ name, isDirectory: s.isDirectory(), size: s.isDirectory() ? 0 : s.size, mtimeMs: s.mtimeMs });
      }
      out.push([rel, children]);
      for (const c of children) if (c.isDirectory) walk(rel === '' ? c.name : `${rel}/${c.name}`);
      return true;
    };
    return walk('') ? out : null;
  }

  function run(op: FsOp, made: Set<string>): { value: unknown; bytes: number } {
    const ensureParent = (file: string): void => {
      const dir = path.dirname(file);
      if (made.has(dir)) return;
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    };
    switch (op.op) {
      case 'mkdirp':
        if (!made.has(op.path)) fs.mkdirSync(op.path, { recursive: true });
        made.add(op.path);
        return { value: null, bytes: 0 };
      case 'put': {
        ensureParent(op.to);
        if (op.link) {
          try {
            fs.linkSync(op.from, op.to);
            return { value: 'link', bytes: 0 };
          } catch (error) {
            let code = codeOf(error);
            // Replace only what is there: removing first would cost an unlink per file when nothing is.
            if (code === 'EEXIST' && op.replace) {
              removeQuietly(op.to);
              try {
                fs.linkSync(op.from, op.to);
                return { value: 'link', bytes: 0 };
              } catch (again) {
                code = codeOf(again);
                if (!op.copy || !NO_LINK.has(code)) throw again;
              }
            } else if (!op.copy || !NO_LINK.has(code)) {
              throw error;
            }
          }
        }
        // A copy goes to its temp name and is renamed over `to`: that replaces atomically, or adds the name.
        if (!op.copy) throw Object.assign(new Error(`cannot link ${op.from} to ${op.to}`), { code: 'EXDEV' });
        ensureParent(op.tmp);
        try {
          fs.copyFileSync(op.from, op.tmp, fs.constants.COPYFILE_FICLONE);
          fs.renameSync(op.tmp, op.to);
        } catch (error) {
          try {
            fs.unlinkSync(op.tmp);
          } catch {
            // nothing was created, or it is gone already
          }
          throw error;
        }
        return { value: 'copy', bytes: fs.statSync(op.to).size };
      }
      case 'copyHash': {
        ensureParent(op.to);
        ensureParent(op.tmp);
        const hash = crypto.createHash('md5');
        let size = 0;
        const input = fs.openSync(op.from, 'r');
        try {
          const output = fs.openSync(op.tmp, 'w');
          try {
            for (;;) {
              const n = fs.readSync(input, buffer, 0, buffer.length, null);
              if (n === 0) break;
              hash.update(buffer.subarray(0, n));
              for (let off = 0; off < n; ) off += fs.writeSync(output, buffer, off, n - off);
              size += n;
            }
          } finally {
            fs.closeSync(output);
          }
          fs.renameSync(op.tmp, op.to);
        } catch (error) {
          try {
            fs.unlinkSync(op.tmp);
          } catch {
            // nothing was created, or it is gone already
          }
          throw error;
        } finally {
          fs.closeSync(input);
        }
        return { value: { size, md5: hash.digest('hex') }, bytes: size };
      }
      case 'write': {
        const target = op.tmp ?? op.path;
        ensureParent(target);
        const data = typeof op.data === 'string' ? Buffer.from(op.data) : op.data;
        fs.writeFileSync(target, data);
        if (op.tmp !== null) {
          ensureParent(op.path);
          fs.renameSync(op.tmp, op.path);
        }
        return { value: { size: data.length, md5: crypto.createHash('md5').update(data).digest('hex') }, bytes: data.length };
      }
      case 'md5': {
        const r = hashFile(op.path);
        return { value: r, bytes: r.size };
      }
      case 'readText':
        return { value: fs.readFileSync(op.path, 'utf8'), bytes: 0 };
      case 'readBytes': {
        const bytes = fs.readFileSync(op.path);
        return { value: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), bytes: bytes.length };
      }
      case 'stat': {
        try {
          const s = fs.statSync(op.path);
          return { value: { size: s.size, isFile: s.isFile(), isDirectory: s.isDirectory() }, bytes: 0 };
        } catch (error) {
          if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return { value: null, bytes: 0 };
          throw error;
        }
      }
      case 'unlink':
        removeQuietly(op.path);
        return { value: null, bytes: 0 };
      case 'rmdir':
        try {
          fs.rmdirSync(op.path);
        } catch (error) {
          const code = codeOf(error);
          if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
        }
        return { value: null, bytes: 0 };
      case 'rmrf':
        removeTree(op.path);
        return { value: null, bytes: 0 };
      case 'rename':
        fs.renameSync(op.from, op.to);
        return { value: null, bytes: 0 };
      case 'tree':
        return { value: listTree(op.path), bytes: 0 };
      case 'fsync': {
        const fd = fs.openSync(op.path, 'r');
        try {
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        return { value: null, bytes: 0 };
      }
    }
  }

  parentPort?.on('message', (message: ToWorker) => {
    const results: FsResult[] = [];
    // Directories made in this batch: a put of 100 files into one dir makes it once. Not kept across batches,
    // because another thread may remove a directory between them.
    const made = new Set<string>();
    let bytes = 0;
    let lastReport = Date.now();
    for (let i = 0; i < message.ops.length; i++) {
      if (Atomics.load(message.cancel, 0) !== 0) {
        results.push({ ok: false, code: 'ABORT_ERR', message: 'the operation was aborted' });
        continue;
      }
      try {
        const r = run(message.ops[i] as FsOp, made);
        bytes += r.bytes;
        results.push({ ok: true, value: r.value });
      } catch (error) {
        results.push({ ok: false, code: codeOf(error), message: error instanceof Error ? error.message : String(error) });
      }
      const now = Date.now();
      if (now - lastReport >= 100) {
        lastReport = now;
        parentPort?.postMessage({ type: 'progress', id: message.id, ops: i + 1, bytes } satisfies FromWorker);
      }
    }
    parentPort?.postMessage({ type: 'done', id: message.id, results } satisfies FromWorker);
  });
}
