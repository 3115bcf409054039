/**
 * One process per data directory. Two engines writing one catalog and one set of backend directories would
 * corrupt each other's versions, so opening takes an exclusive lock file holding the owner's pid. A lock left by a
 * process that no longer exists (kill -9) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export class DirectoryLockedError extends Error {
  override name = 'DirectoryLockedError';
  /** Pid of the process holding the lock. */
  readonly ownerPid: number;

  constructor(dir: string, ownerPid: number) {
    super(
      `data dir ${dir} is in use by process ${ownerPid} (a running 'tablevault serve'?): connect to that server with ` +
        `'tablevault sql -h 127.0.0.1 -P 9030', or stop it first`,
    );
    this.ownerPid = ownerPid;
  }
}

export interface DirectoryLock {
  /** Release the lock (idempotent). */
  release(): void;
}

/**
 * Lock files this process holds. A LOCK naming our own pid is stale when we did not write it (a restarted container
 * reuses pids), but live when we did: a second Engine on the same dir in one process must be refused too.
 */
const heldHere = new Set<string>();

export function lockDirectory(dir: string): DirectoryLock {
  const file = path.join(dir, 'LOCK');
  if (heldHere.has(path.resolve(file))) throw new DirectoryLockedError(dir, process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      heldHere.add(path.resolve(file));
      return {
        release() {
          if (released) return;
          released = true;
          heldHere.delete(path.resolve(file));
          try {
            if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readSafely(file));
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) throw new DirectoryLockedError(dir, owner);
      // Stale (owner gone) or unreadable: remove and retry.
      try {
        unlinkSync(file);
      } catch {
        // Another process may have removed it first; the retry decides.
      }
    }
  }
  throw new Error(`could not take the lock ${file}`);
}

function readSafely(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
