import Database from 'better-sqlite3';
import type { Clock } from '../util/clock.ts';
import { systemClock } from '../util/clock.ts';
import { runMigrations } from './migrations/run-migrations.ts';

/**
 * The catalog handle every operation in ./ops takes as its first argument: one SQLite connection plus a cache of
 * prepared statements (preparing is the expensive part of a small query; each SQL text is prepared once per handle).
 */
export class Catalog {
  /** The underlying better-sqlite3 connection. Prefer the ops; use this for ad-hoc reads in tests. */
  readonly db: Database.Database;
  /** Time source for create / version times. */
  readonly clock: Clock;
  #statements = new Map<string, Database.Statement>();
  /** True while the outermost transaction is a durableTransaction (its commit runs with synchronous=FULL). */
  #durableOuter = false;

  constructor(db: Database.Database, clock: Clock) {
    this.db = db;
    this.clock = clock;
  }

  /** A prepared statement for `sql`, cached for the life of the handle. */
  prepare<Params extends unknown[] = unknown[], Row = unknown>(sql: string): Database.Statement<Params, Row> {
    let stmt = this.#statements.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt as unknown as Database.Statement<Params, Row>;
  }

  /**
   * Run `fn` in a transaction that takes the write lock up front (BEGIN IMMEDIATE), so read-modify-write sequences
   * (next version = visible + 1) cannot interleave with another writer. Nested calls become savepoints.
   */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return this.db.transaction(fn)();
    return this.db.transaction(fn).immediate();
  }

  /**
   * Like `transaction`, but with `synchronous=FULL` for its commit. Why: in WAL mode `NORMAL` may lose the last
   * commits on power loss (never corrupts). For a version commit that would silently drop a load the client was
   * told succeeded, while its fsynced segment files become orphans. Loads are coarse (one commit per INSERT), so
   * one extra WAL fsync each is cheap.
   *
   * SQLite refuses to change `synchronous` inside a transaction, so only the outermost transaction can choose it.
   * Nested in another durableTransaction this is a savepoint of a durable commit; nested in a plain `transaction`
   * it throws instead of silently committing without the fsync: make the outer transaction the durable one.
   */
  durableTransaction<T>(fn: () => T): T {
    if (this.db.inTransaction) {
      if (!this.#durableOuter) {
        throw new Error('catalog: a durable commit was requested inside a plain transaction; start the outer transaction with durableTransaction');
      }
      return this.db.transaction(fn)();
    }
    this.db.pragma('synchronous = FULL');
    this.#durableOuter = true;
    try {
      return this.db.transaction(fn).immediate();
    } finally {
      this.#durableOuter = false;
      this.db.pragma('synchronous = NORMAL');
    }
  }

  /**
   * Reserve `count` consecutive ids from the global sequence (StarRocks' single id generator: databases, tables,
   * indexes, partitions, tablets, replicas, rowsets and jobs share it; the first id is 10001). Returns the first.
   */
  nextId(count = 1): number {
    return this.transaction(() => {
      const row = this.prepare<[number], { next_id: number }>(
        "UPDATE id_sequence SET next_id = next_id + ? WHERE name = 'global' RETURNING next_id",
      ).get(count);
      if (row === undefined) throw new Error('catalog id sequence is missing');
      return row.next_id - count;
    });
  }

  /** Close the connection; statements die with it. */
  close(): void {
    this.#statements.clear();
    if (this.db.open) this.db.close();
  }
}

export interface OpenCatalogOptions {
  /** Time source; defaults to the system clock. */
  readonly clock?: Clock;
}

/**
 * Open (creating if needed) the catalog database at `file` (or ':memory:'), set the pragmas and bring the schema
 * up to date. WAL lets readers proceed during a load commit; foreign keys make cascades and dangling ids impossible.
 */
export function openCatalog(file: string, options: OpenCatalogOptions = {}): Catalog {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    runMigrations(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return new Catalog(db, options.clock ?? systemClock);
}
