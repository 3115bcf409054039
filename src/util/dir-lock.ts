/**
 * One process per data directory. Two engines writing one catalog and one set of backend directories would corrupt
 * each other's versions, so opening takes an exclusive lock that the kernel holds for us: an SQLite database
 * `<dir>/lock.sqlite` kept in an open `BEGIN EXCLUSIVE` transaction. SQLite locks it with fcntl() byte-range locks,
 * which the kernel drops when the process dies (kill -9 included) and which SQLite also enforces between two
 * connections of one process — so there is no window in which a lock exists without an owner, nothing stale to
 * take over, and no pid to trust. `<dir>/LOCK` carries the owner's pid for the error message only.
 *
 * The lock file is never deleted: deleting it would let a later opener lock a fresh file while an earlier one
 * still holds the unlinked one. And no code in this process may open and close `lock.sqlite` through `fs`: POSIX
 * drops all of a process's locks on a file when any of its descriptors to it is closed.
 */
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** The file whose exclusive SQLite lock is the data dir's lock. */
export const LOCK_DATABASE = 'lock.sqlite';
/** The owner's pid, for humans and error messages (informational: the lock is LOCK_DATABASE's). */
export const LOCK_PID_FILE = 'LOCK';

export class DirectoryLockedError extends Error {
  override name = 'DirectoryLockedError';
  /** Pid of the process holding the lock, or 0 when it has not written it yet. */
  readonly ownerPid: number;

  constructor(dir: string, ownerPid: number) {
    super(
      `data dir ${dir} is in use by ${ownerPid > 0 ? `process ${ownerPid}` : 'another process'} (a running 'tablevault serve'?): ` +
        `connect to that server with 'tablevault sql -h 127.0.0.1 -P 9030', or stop it first`,
    );
    this.ownerPid = ownerPid;
  }
}

export interface DirectoryLock {
  /** Release the lock (idempotent). */
  release(): void;
}

/** Take the data dir's lock or throw DirectoryLockedError at once (no waiting). */
export function lockDirectory(dir: string): DirectoryLock {
  // timeout 0: a held lock answers SQLITE_BUSY immediately instead of after SQLite's busy wait. But BUSY does not
  // prove a holder: BEGIN EXCLUSIVE climbs SHARED → RESERVED → EXCLUSIVE, and two openers arriving together can
  // each block the other's climb so that both are refused and neither holds the dir. A few retries after a random
  // pause separate them (one of them wins); a real holder keeps answering BUSY and is reported after ~20 ms.
  let db: Database.Database | undefined;
  for (let attempt = 1; db === undefined; attempt++) {
    const candidate = new Database(path.join(dir, LOCK_DATABASE), { timeout: 0 });
    try {
      candidate.exec('BEGIN EXCLUSIVE');
      db = candidate;
    } catch (error) {
      candidate.close();
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      if (attempt >= LOCK_ATTEMPTS) throw new DirectoryLockedError(dir, readPid(dir));
      sleepSync(1 + Math.random() * 7);
    }
  }
  const pidFile = path.join(dir, LOCK_PID_FILE);
  try {
    const tmp = `${pidFile}.${process.pid}.tmp`;
    writeFileSync(tmp, String(process.pid));
    renameSync(tmp, pidFile);
  } catch {
    // Only the error message of a refused opener loses the pid.
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      try {
        if (readFileSync(pidFile, 'utf8') === String(process.pid)) unlinkSync(pidFile);
      } catch {
        // Already gone.
      }
      db.close();
    },
  };
}

/** Attempts before a BUSY lock is taken to be held (see lockDirectory). */
const LOCK_ATTEMPTS = 4;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readPid(dir: string): number {
  try {
    const pid = Number(readFileSync(path.join(dir, LOCK_PID_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : 0;
  } catch {
    return 0;
  }
}
