/**
 * Data-dir identity: how a data dir knows it is itself, so that a moved one keeps working and a copy never touches
 * the original's files (DESIGN §7, "A data dir is self-contained and movable").
 *
 *   <dataDir>/IDENTITY         {"format":"tablevault-data-dir","identity":"<uuid>"}
 *   <dataDir>/be<N>/OWNER      {"format":"tablevault-backend","identity":"<uuid>","backend":"be<N>"}
 *   catalog `data_dir` row     identity, previous identity, root path, device and inode at the last open
 *
 * At every open the record is compared with the present:
 *   - same root                         → the same data dir (device/inode refreshed: a restore from a file backup
 *                                         or a remount changes them legitimately);
 *   - other root, same device + inode   → moved (renamed): same identity, stored absolute paths rewritten;
 *   - other root, other inode, and the recorded root still holds a data dir with our identity
 *                                       → a copy (`cp -a`, rsync): it takes a NEW identity, rewrites stored paths to
 *                                         itself, and refuses to open if a backend directory is physically shared
 *                                         with the original (a copied symlink);
 *   - other root, other inode, nothing of ours at the recorded root
 *                                       → moved to another file system: same identity, paths rewritten.
 * Backends are addressed relative to the data dir, so neither case can write into the other's directories; the
 * OWNER files let the orphan sweep prove a backend directory is ours before it deletes anything in it.
 *
 * Crash safety: the catalog row is committed first (it is the truth); IDENTITY and OWNER files are rewritten after
 * it, and an OWNER still naming the previous identity is adopted at the next open.
 */
import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../catalog/catalog.ts';
import { getDataDirRecord, saveDataDirRecord } from '../catalog/ops/data-dir-record.ts';
import { relocatePaths, type RelocationReport } from '../catalog/ops/relocate-paths.ts';
import type { Logger } from '../logging/logger.ts';
import { fsyncDir, writeFileDurable } from './fs-util.ts';
import { CATALOG_FILE, TMP_DIR } from './layout.ts';

/** The data dir's identity file (next to the catalog). */
export const IDENTITY_FILE = 'IDENTITY';
/** The ownership file inside each backend directory. */
export const OWNER_FILE = 'OWNER';

/** What opening learned about the data dir. */
export interface DataDirIdentity {
  /** This data dir's id (a UUID). */
  readonly id: string;
  /** Where the data dir was opened before when it has moved or been copied since (stored paths were rewritten). */
  readonly relocatedFrom: string | null;
  /** The data dir this one was copied from (it took a new identity at this open), else null. */
  readonly copiedFrom: string | null;
  /** Stored values rewritten from `relocatedFrom` to the data dir, per `table.column`. */
  readonly rewritten: RelocationReport;
}

/** A backend directory as identity checks see it. */
export interface BackendLocation {
  /** Backend name (`be1`). */
  readonly name: string;
  /** Path relative to the data dir. */
  readonly path: string;
  /** Absolute directory. */
  readonly dir: string;
}

/** A backend directory that belongs to another data dir: opening would mix or sweep someone else's files. */
export class ForeignBackendError extends Error {
  override name = 'ForeignBackendError';
}

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    const v = JSON.parse(await fsp.readFile(file, 'utf8')) as unknown;
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The identity recorded in `<dir>/IDENTITY`, or null (missing or unreadable). */
export async function readIdentityFile(dir: string): Promise<string | null> {
  const v = await readJson(path.join(dir, IDENTITY_FILE));
  return typeof v?.['identity'] === 'string' ? v['identity'] : null;
}

/** The identity named by a backend directory's OWNER file, or null (missing or unreadable). */
export async function readOwner(backendDir: string): Promise<string | null> {
  const v = await readJson(path.join(backendDir, OWNER_FILE));
  return typeof v?.['identity'] === 'string' ? v['identity'] : null;
}

async function writeJson(dir: string, tmpDir: string, name: string, value: object): Promise<void> {
  await writeFileDurable(tmpDir, path.join(dir, name), [Buffer.from(`${JSON.stringify(value)}\n`)]);
  await fsyncDir(dir);
}

async function sameInode(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([fsp.stat(a, { bigint: true }).catch(() => null), fsp.stat(b, { bigint: true }).catch(() => null)]);
  return x !== null && y !== null && x.dev === y.dev && x.ino === y.ino;
}

/** Whether `dir` looks like a tablevault data dir (a catalog file in it). */
async function isDataDir(dir: string): Promise<boolean> {
  return (await fsp.stat(path.join(dir, CATALOG_FILE)).catch(() => null))?.isFile() === true;
}

/**
 * Decide who the data dir at `root` is (see the module comment), record it, and make every backend directory carry
 * its OWNER file. Throws ForeignBackendError, before changing anything, when a backend directory belongs to another
 * data dir. `onCopy` runs when the data dir turns out to be a copy, before it takes its new identity: per-instance
 * state kept outside the catalog (the cluster id) must not be shared with the original either. The caller holds
 * the data dir's lock.
 */
export async function establishIdentity(
  catalog: Catalog,
  root: string,
  backends: readonly BackendLocation[],
  logger: Logger,
  onCopy?: (root: string) => Promise<void>,
): Promise<DataDirIdentity> {
  const stat = await fsp.stat(root, { bigint: true });
  const dev = String(stat.dev);
  const ino = String(stat.ino);
  const rec = getDataDirRecord(catalog);
  const fileId = await readIdentityFile(root);
  let id: string;
  let previous = rec?.previousIdentity ?? null;
  let copiedFrom: string | null = null;
  const relocatedFrom = rec !== undefined && rec.root !== root ? rec.root : null;
  if (rec === undefined) {
    id = fileId ?? randomUUID();
  } else if (rec.identity === null) {
    // Upgraded from before identities: the recorded root is where the backends were. Still a data dir there means
    // this one is a copy of it (it gets its own id either way).
    id = fileId ?? randomUUID();
    if (relocatedFrom !== null && (await isDataDir(relocatedFrom))) copiedFrom = relocatedFrom;
  } else if (relocatedFrom === null || (rec.dev === dev && rec.ino === ino)) {
    id = rec.identity;
  } else if ((await readIdentityFile(relocatedFrom)) === rec.identity) {
    copiedFrom = relocatedFrom;
    previous = rec.identity;
    id = randomUUID();
  } else {
    id = rec.identity;
  }

  // Refuse before writing anything: a backend directory physically shared with the original, or owned by another
  // data dir, would have its files swept by whichever opens last.
  for (const b of backends) {
    if (copiedFrom !== null && (await sameInode(b.dir, path.join(copiedFrom, b.path)))) {
      throw new ForeignBackendError(
        `data dir ${root} is a copy of ${copiedFrom}, but its backend directory ${b.dir} is the same directory as the original's ` +
          `(a symlink copied along?): give the copy its own copy of ${b.path} before opening it`,
      );
    }
    const owner = await readOwner(b.dir);
    if (owner !== null && owner !== id && owner !== previous && owner !== rec?.identity) {
      throw new ForeignBackendError(
        `backend directory ${b.dir} belongs to another data dir (identity ${owner}), not to ${root} (identity ${id}); ` +
          `a backend directory cannot be shared: point ${b.path} at this data dir's own directory`,
      );
    }
  }

  // Before the new identity is committed, so a crash in between runs it again at the next open.
  if (copiedFrom !== null) await onCopy?.(root);
  let rewritten: RelocationReport = {};
  catalog.transaction(() => {
    if (relocatedFrom !== null) rewritten = relocatePaths(catalog, relocatedFrom, root);
    saveDataDirRecord(catalog, { identity: id, previousIdentity: previous, root, dev, ino });
  });
  if (fileId !== id) await writeJson(root, root, IDENTITY_FILE, { format: 'tablevault-data-dir', identity: id });
  for (const b of backends) {
    if ((await readOwner(b.dir)) === id) continue;
    await writeJson(b.dir, path.join(b.dir, TMP_DIR), OWNER_FILE, { format: 'tablevault-backend', identity: id, backend: b.name });
  }
  if (copiedFrom !== null) {
    logger.warn({ dataDir: root, copiedFrom, identity: id, rewritten }, 'data dir is a copy: it took a new identity and never touches the original');
  } else if (relocatedFrom !== null) {
    logger.info({ dataDir: root, movedFrom: relocatedFrom, rewritten }, 'data dir was moved: stored paths rewritten');
  }
  return { id, relocatedFrom, copiedFrom, rewritten };
}
