/**
 * One session's transaction and table locks: StarRocks' SQL transactions (v3.5+) for what they cover, MySQL's rules
 * for what clients expect of a MySQL server (autocommit, savepoints, LOCK TABLES, implicit commits).
 *
 * - Loads (INSERT) inside a transaction write and fsync their files at once but publish nothing: COMMIT publishes
 *   every one of them in ONE catalog transaction (each its own version, in statement order), ROLLBACK deletes their
 *   files. Other sessions never see them before COMMIT; a crash before COMMIT leaves orphan files the next open sweeps.
 * - Reads: REPEATABLE READ (the default) reads one snapshot, taken at the transaction's first read or at
 *   START TRANSACTION WITH CONSISTENT SNAPSHOT; READ COMMITTED / READ UNCOMMITTED read the latest commit at each
 *   statement (never uncommitted data). A table this transaction loaded into cannot be read before COMMIT (StarRocks
 *   5307): the transaction does not see its own uncommitted loads, and says so rather than reading around them.
 * - What an explicit transaction cannot hold (DDL, DELETE, TRUNCATE, INSERT OVERWRITE, BACKUP …) is refused (StarRocks
 *   5305). In autocommit=0 mode, where MySQL clients live, such a statement first commits the open transaction, as
 *   MySQL's implicit commit does for DDL, then runs on its own.
 * - No write-conflict detection (as StarRocks): concurrent transactions loading the same table both commit; the
 *   later COMMIT is the later version.
 */
import type { IsolationLevel, TableLockItem, TransactionAccessMode } from '../../../grammar/ast.ts';
import type { TableMeta } from '../../catalog/index.ts';
import type { LoadResult, PreparedLoad } from '../../storage/load-writer.ts';
import type { ExecutionContext } from '../context.ts';
import {
  cannotChangeCharacteristics, noSuchSavepoint, readOnlyTransaction, selectOnModifiedTable, serializableNotSupported, tableLockedForRead,
  tableNotLocked,
} from './errors.ts';
import { takeReadSnapshot, type ReadSnapshot } from './read-snapshot.ts';
import { tableLockRegistry, type LockWait } from './table-lock-registry.ts';

/** How a table is read: at these partition versions (a snapshot), or at the latest commit (undefined). */
export interface ReadPlan {
  readonly versions?: ReadonlyMap<number, number>;
}

interface PendingLoad {
  readonly table: TableMeta;
  readonly load: PreparedLoad;
}

interface OpenTransaction {
  /** Engine-unique id, shown as the txnId of its loads. */
  readonly id: number;
  /** Started by BEGIN / START TRANSACTION (true) or by a statement under autocommit=0 (false). */
  readonly explicit: boolean;
  readonly isolation: IsolationLevel;
  readonly readOnly: boolean;
  snapshot: ReadSnapshot | undefined;
  readonly loads: PendingLoad[];
  readonly savepoints: { readonly name: string; readonly loads: number }[];
}

interface TableLocks {
  /** Locked table id → mode (WRITE wins when a table is named twice). */
  readonly modes: ReadonlyMap<number, 'READ' | 'WRITE'>;
  /** The snapshot READ-locked tables are read at. */
  readonly snapshot: ReadSnapshot | undefined;
}

let nextTransactionId = 1;

export class SessionTransaction {
  #open: OpenTransaction | undefined;
  /** SET TRANSACTION without GLOBAL/SESSION: characteristics of the next transaction only. */
  #next: { isolation?: IsolationLevel; accessMode?: TransactionAccessMode } = {};
  #locks: TableLocks | undefined;

  /** True while a transaction is open (the IN_TRANS status flag). */
  get inTransaction(): boolean {
    return this.#open !== undefined;
  }

  /** True while LOCK TABLES holds locks. */
  get hasTableLocks(): boolean {
    return this.#locks !== undefined;
  }

  /** BEGIN / START TRANSACTION (explicit), or the implicit start of autocommit=0. Commits an open one first (MySQL). */
  async begin(ctx: ExecutionContext, options: { readonly explicit: boolean; readonly consistentSnapshot?: boolean; readonly accessMode?: TransactionAccessMode }): Promise<void> {
    await this.commit(ctx);
    // MySQL: BEGIN / START TRANSACTION release the table locks of LOCK TABLES; autocommit=0's implicit start (the
    // `SET autocommit = 0; LOCK TABLES …; …; COMMIT; UNLOCK TABLES` pattern) keeps them.
    if (options.explicit) this.#unlock(ctx);
    const isolation = this.#next.isolation ?? sessionIsolation(ctx);
    if (isolation === 'SERIALIZABLE') throw serializableNotSupported();
    const accessMode = options.accessMode ?? this.#next.accessMode ?? (ctx.session.variables.get('transaction_read_only') === 1n ? 'READ ONLY' : 'READ WRITE');
    this.#next = {};
    this.#open = {
      id: nextTransactionId++,
      explicit: options.explicit,
      isolation,
      readOnly: accessMode === 'READ ONLY',
      // MySQL takes a consistent snapshot only at REPEATABLE READ; at other levels the clause has no effect.
      snapshot: options.consistentSnapshot === true && isolation === 'REPEATABLE READ' ? takeReadSnapshot(ctx.services) : undefined,
      loads: [],
      savepoints: [],
    };
  }

  /**
   * COMMIT: publish every load of the transaction in one catalog transaction, under the write lock of each table they
   * touch (so no DELETE rewrite can read a table between them). All or nothing: on failure every load's files are
   * deleted and the error is raised. Returns what was published (empty when nothing was loaded or nothing is open).
   */
  async commit(ctx: ExecutionContext): Promise<{ readonly id: number; readonly results: readonly LoadResult[] } | undefined> {
    const open = this.#open;
    if (open === undefined) return undefined;
    this.#open = undefined;
    try {
      if (open.loads.length === 0) return { id: open.id, results: [] };
      const tableIds = [...new Set(open.loads.map((l) => l.table.id))].sort((a, b) => a - b);
      const { catalog, tableLocks } = ctx.services;
      const publishAll = (): LoadResult[] => catalog.durableTransaction(() => open.loads.map((l) => l.load.publish()));
      const underLocks = (i: number): Promise<LoadResult[]> =>
        i === tableIds.length ? Promise.resolve(publishAll()) : tableLocks.run(tableIds[i] as number, () => underLocks(i + 1));
      return { id: open.id, results: await underLocks(0) };
    } catch (error) {
      await discard(open.loads);
      throw error;
    } finally {
      open.snapshot?.release();
    }
  }

  /** ROLLBACK: delete the files of every load; nothing of the transaction was ever visible. */
  async rollback(): Promise<void> {
    const open = this.#open;
    if (open === undefined) return;
    this.#open = undefined;
    open.snapshot?.release();
    await discard(open.loads);
  }

  /** SAVEPOINT sp: outside a transaction it is accepted and forgotten, as in MySQL's autocommit mode. */
  async savepoint(ctx: ExecutionContext, name: string): Promise<void> {
    if (this.#open === undefined && !autocommit(ctx)) await this.begin(ctx, { explicit: false });
    const open = this.#open;
    if (open === undefined) return;
    const at = open.savepoints.findIndex((s) => s.name.toLowerCase() === name.toLowerCase());
    if (at >= 0) open.savepoints.splice(at, 1);
    open.savepoints.push({ name, loads: open.loads.length });
  }

  /** ROLLBACK TO sp: the loads made after sp are deleted; sp stays, later savepoints go. */
  async rollbackToSavepoint(name: string): Promise<void> {
    const open = this.#open;
    const at = open?.savepoints.findIndex((s) => s.name.toLowerCase() === name.toLowerCase()) ?? -1;
    if (open === undefined || at < 0) throw noSuchSavepoint(name);
    const point = open.savepoints[at] as { loads: number };
    open.savepoints.splice(at + 1);
    await discard(open.loads.splice(point.loads));
  }

  /** RELEASE SAVEPOINT sp: forget sp and every later savepoint; the work stays. */
  releaseSavepoint(name: string): void {
    const open = this.#open;
    const at = open?.savepoints.findIndex((s) => s.name.toLowerCase() === name.toLowerCase()) ?? -1;
    if (open === undefined || at < 0) throw noSuchSavepoint(name);
    open.savepoints.splice(at);
  }

  /** SET TRANSACTION (no scope): characteristics of the next transaction; refused inside one (MySQL 1568). */
  setNext(characteristics: { readonly isolation?: IsolationLevel; readonly accessMode?: TransactionAccessMode }): void {
    if (this.#open !== undefined) throw cannotChangeCharacteristics();
    if (characteristics.isolation === 'SERIALIZABLE') throw serializableNotSupported();
    this.#next = { ...this.#next, ...characteristics };
  }

  /**
   * LOCK TABLES: commit an open transaction and release earlier locks (MySQL), then take every WRITE lock at once
   * (waiting for other holders) and pin one snapshot for the READ-locked tables.
   */
  async lockTables(ctx: ExecutionContext, tables: readonly { readonly table: TableMeta; readonly item: TableLockItem }[]): Promise<void> {
    await this.commit(ctx);
    this.#unlock(ctx);
    const modes = new Map<number, 'READ' | 'WRITE'>();
    for (const { table, item } of tables) if (modes.get(table.id) !== 'WRITE') modes.set(table.id, item.mode);
    const writes = [...modes].filter(([, mode]) => mode === 'WRITE').map(([id]) => id);
    await tableLockRegistry(ctx.services).lockAll(ctx.session.connectionId, writes, lockWait(ctx, tables.map((t) => t.table)));
    const reads = [...modes.values()].some((m) => m === 'READ');
    this.#locks = { modes, snapshot: reads ? takeReadSnapshot(ctx.services) : undefined };
  }

  /** UNLOCK TABLES: release the locks; a transaction open while locks were held is committed (MySQL). */
  async unlockTables(ctx: ExecutionContext): Promise<void> {
    if (this.#locks === undefined) return;
    this.#unlock(ctx);
    await this.commit(ctx);
  }

  /**
   * How this session reads `table` now, after waiting for another session's WRITE lock on it. `viaView`: the table is
   * read inside a view the statement named (LOCK TABLES locks the view, which covers what it reads).
   */
  async readPlan(ctx: ExecutionContext, table: TableMeta, viaView: boolean): Promise<ReadPlan> {
    if (this.#open?.loads.some((l) => l.table.id === table.id) === true) throw selectOnModifiedTable(table.name);
    const locks = this.#locks;
    if (locks !== undefined) {
      const mode = locks.modes.get(table.id);
      if (mode === undefined && !viaView) throw tableNotLocked(table.name);
      if (mode === 'WRITE') return {};
      return locks.snapshot === undefined ? {} : { versions: locks.snapshot.versionsFor(table) };
    }
    await waitForOthersLock(ctx, table);
    if (this.#open === undefined && !autocommit(ctx)) await this.begin(ctx, { explicit: false });
    const open = this.#open;
    if (open === undefined) return {};
    if (open.isolation !== 'REPEATABLE READ') return {};
    open.snapshot ??= takeReadSnapshot(ctx.services);
    return { versions: open.snapshot.versionsFor(table) };
  }

  /**
   * Before a statement writes `table`: the LOCK TABLES rules (1100, 1099), another session's WRITE lock (wait), a READ
   * ONLY transaction (1792). `transactional`: the write joins the transaction (INSERT), so autocommit=0 opens one;
   * DELETE, TRUNCATE and INSERT OVERWRITE run on their own (statement-gate.ts committed any open one before).
   */
  async checkWrite(ctx: ExecutionContext, table: TableMeta, transactional: boolean): Promise<void> {
    const locks = this.#locks;
    if (locks !== undefined) {
      const mode = locks.modes.get(table.id);
      if (mode === undefined) throw tableNotLocked(table.name);
      if (mode === 'READ') throw tableLockedForRead(table.name);
    } else {
      await waitForOthersLock(ctx, table);
    }
    if (transactional && this.#open === undefined && !autocommit(ctx)) await this.begin(ctx, { explicit: false });
    if (this.#open?.readOnly === true || (this.#open === undefined && ctx.session.variables.get('transaction_read_only') === 1n)) {
      throw readOnlyTransaction();
    }
  }

  /** Take over a prepared load of an INSERT inside the open transaction (published at COMMIT). */
  defer(table: TableMeta, load: PreparedLoad): number {
    const open = this.#open;
    if (open === undefined) throw new Error('transaction: no transaction is open');
    open.loads.push({ table, load });
    return open.id;
  }

  /** The open transaction's characteristics (for COMMIT AND CHAIN), if one is open. */
  characteristics(): { readonly isolation: IsolationLevel; readonly accessMode: TransactionAccessMode } | undefined {
    const open = this.#open;
    return open === undefined ? undefined : { isolation: open.isolation, accessMode: open.readOnly ? 'READ ONLY' : 'READ WRITE' };
  }

  /** Whether the open transaction is explicit (BEGIN) rather than autocommit=0's implicit one. */
  get explicit(): boolean {
    return this.#open?.explicit === true;
  }

  /** The connection is gone: roll back and release every lock. Never throws (errors are logged). */
  async abandon(ctx: Pick<ExecutionContext, 'services' | 'session'>): Promise<void> {
    tableLockRegistry(ctx.services).releaseAll(ctx.session.connectionId);
    this.#locks?.snapshot?.release();
    this.#locks = undefined;
    try {
      await this.rollback();
    } catch (error) {
      ctx.services.logger.warn({ err: error, connectionId: ctx.session.connectionId }, 'rolling back a closed session failed; its files are swept at the next open');
    }
  }

  #unlock(ctx: ExecutionContext): void {
    if (this.#locks === undefined) return;
    tableLockRegistry(ctx.services).releaseAll(ctx.session.connectionId);
    this.#locks.snapshot?.release();
    this.#locks = undefined;
  }
}

/** @@autocommit: 0 makes the first statement that reads or loads a table open a transaction (MySQL). */
export function autocommit(ctx: Pick<ExecutionContext, 'session'>): boolean {
  return ctx.session.variables.get('autocommit') !== 0n;
}

/** The session's isolation level, from @@transaction_isolation (`REPEATABLE-READ` → `REPEATABLE READ`). */
function sessionIsolation(ctx: ExecutionContext): IsolationLevel {
  return String(ctx.session.variables.get('transaction_isolation')).replace('-', ' ') as IsolationLevel;
}

function lockWait(ctx: ExecutionContext, tables: readonly TableMeta[]): LockWait {
  const timeout = Number(ctx.session.variables.get('lock_wait_timeout'));
  return {
    signal: ctx.signal,
    timeoutSeconds: timeout,
    tableName: (id) => tables.find((t) => t.id === id)?.name ?? String(id),
  };
}

async function waitForOthersLock(ctx: ExecutionContext, table: TableMeta): Promise<void> {
  const registry = tableLockRegistry(ctx.services);
  if (registry.idle) return;
  await registry.waitForAccess(ctx.session.connectionId, table.id, lockWait(ctx, [table]));
}

async function discard(loads: readonly PendingLoad[]): Promise<void> {
  await Promise.all(loads.map((l) => l.load.abort()));
}

