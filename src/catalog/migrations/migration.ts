import type Database from 'better-sqlite3';

/** One schema step. Its number is its position: migration N moves `PRAGMA user_version` from N-1 to N. */
export interface Migration {
  /** 1-based number, equal to the file's prefix (0001 → 1). */
  readonly id: number;
  /** Short name for logs and errors, e.g. 'table-store'. */
  readonly name: string;
  /** Apply the step. Runs inside the runner's immediate transaction; must not commit or change pragmas. */
  up(db: Database.Database): void;
}
