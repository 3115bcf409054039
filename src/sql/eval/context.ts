import type { Value } from '../../types/value.ts';

/**
 * What expressions may ask of the session that runs them. The executor implements it over the session; tests
 * implement it over plain fields. Values are read once per statement where SQL says so (now() is constant within a
 * statement, like StarRocks).
 */
export interface EvalContext {
  /** Milliseconds since the epoch, for now()/curdate()/unix_timestamp(). */
  now(): number;
  /** Current database, or undefined when none is selected (DATABASE() returns NULL). */
  database(): string | undefined;
  /** USER(): `'name'@'client-host'` as MySQL prints it, e.g. `'root'@'127.0.0.1'`. */
  user(): string;
  /** CURRENT_USER(): the matched account, e.g. `'root'@'%'`. */
  currentUser(): string;
  /** CONNECTION_ID(). */
  connectionId(): number;
  /**
   * `@@name` / `@@session.name` / `@@global.name`; must throw SqlError 1193 `Unknown system variable 'name'` when the
   * variable does not exist. Scope 'DEFAULT' means "session if set, else global".
   */
  systemVariable(name: string, scope: 'SESSION' | 'GLOBAL' | 'DEFAULT'): Value;
  /** `@name`; NULL when never set. */
  userVariable(name: string): Value;
  /** SLEEP(seconds): the statement waits that long before it ends (src/sql/sleep-debt.ts); absent where nothing can wait. */
  sleep?(seconds: number): void;
}
