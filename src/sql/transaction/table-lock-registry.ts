/**
 * The engine-wide record of LOCK TABLES … WRITE locks: which session holds each write-locked table, and the sessions
 * waiting for one to be released.
 *
 * Only WRITE locks are recorded. A READ lock gives its session a pinned read snapshot (read-snapshot.ts), which other
 * sessions' writes cannot disturb, so it never has to make them wait (MySQL's InnoDB READ LOCAL, for every READ).
 * A WRITE lock is exclusive: another session that reads or writes the table, or wants to lock it WRITE, waits until
 * the holder runs UNLOCK TABLES (or disconnects), up to lock_wait_timeout seconds (then 1205), or until KILL QUERY.
 * LOCK TABLES takes all of its write locks at once or none, so two LOCK TABLES never deadlock each other.
 */
import type { EngineServices } from '../context.ts';
import { lockWaitTimeout } from './errors.ts';

/** Engine → its registry. Keyed by the session directory, one per engine (no field on EngineServices needed). */
const REGISTRIES = new WeakMap<object, TableLockRegistry>();

export function tableLockRegistry(services: Pick<EngineServices, 'sessions'>): TableLockRegistry {
  let registry = REGISTRIES.get(services.sessions);
  if (registry === undefined) {
    registry = new TableLockRegistry();
    REGISTRIES.set(services.sessions, registry);
  }
  return registry;
}

/** How long to wait, and for what (KILL QUERY aborts the signal). */
export interface LockWait {
  readonly signal?: AbortSignal;
  /** lock_wait_timeout, in seconds. */
  readonly timeoutSeconds: number;
  /** The table's name, for the timeout message. */
  readonly tableName: (tableId: number) => string;
}

export class TableLockRegistry {
  /** Write-locked table id → the connection id holding it. */
  readonly #writers = new Map<number, number>();
  /** Wake-ups of everyone waiting; each waiter re-checks what it waits for. */
  readonly #waiters = new Set<() => void>();

  /** Whether any table is write-locked (the common case, none, costs one check per table access). */
  get idle(): boolean {
    return this.#writers.size === 0;
  }

  /** The connection holding a WRITE lock on `tableId`, if any. */
  holder(tableId: number): number | undefined {
    return this.#writers.get(tableId);
  }

  /** Take WRITE locks on every table of `tableIds` for `connectionId`, waiting until none is held by another. */
  async lockAll(connectionId: number, tableIds: readonly number[], wait: LockWait): Promise<void> {
    await this.#waitUntil(() => tableIds.find((id) => this.#heldByOther(id, connectionId)), wait);
    for (const id of tableIds) this.#writers.set(id, connectionId);
  }

  /** Wait until no other session holds a WRITE lock on `tableId` (a read or write by a session without locks). */
  async waitForAccess(connectionId: number, tableId: number, wait: LockWait): Promise<void> {
    if (!this.#heldByOther(tableId, connectionId)) return;
    await this.#waitUntil(() => (this.#heldByOther(tableId, connectionId) ? tableId : undefined), wait);
  }

  /** Release every lock of `connectionId` (UNLOCK TABLES, BEGIN, disconnect) and wake the waiters. */
  releaseAll(connectionId: number): void {
    let released = false;
    for (const [id, holder] of this.#writers) {
      if (holder === connectionId) {
        this.#writers.delete(id);
        released = true;
      }
    }
    if (released) for (const wake of [...this.#waiters]) wake();
  }

  #heldByOther(tableId: number, connectionId: number): boolean {
    const holder = this.#writers.get(tableId);
    return holder !== undefined && holder !== connectionId;
  }

  /** Resolve once `blocked()` returns undefined; reject on timeout or abort. `blocked` names the table waited for. */
  async #waitUntil(blocked: () => number | undefined, wait: LockWait): Promise<void> {
    let waitingFor = blocked();
    if (waitingFor === undefined) return;
    const { signal } = wait;
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const done = (error?: unknown): void => {
        this.#waiters.delete(check);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const check = (): void => {
        waitingFor = blocked();
        if (waitingFor === undefined) done();
      };
      const onAbort = (): void => done(signal?.reason);
      const timer = setTimeout(() => done(lockWaitTimeout(wait.tableName(waitingFor as number), wait.timeoutSeconds)), Math.min(wait.timeoutSeconds * 1000, 2 ** 31 - 1));
      timer.unref();
      this.#waiters.add(check);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
