import { showLikeMatcher } from '../eval/like.ts';
import { SqlError } from '../../errors/index.ts';
import type { ColumnType } from '../../types/column-type.ts';
import { findSystemVariable, SYSTEM_VARIABLES, type SystemVariable } from './definitions.ts';

/** A variable's value: bigint for booleans and integers (as Value represents BIGINT), string otherwise. */
export type VariableValue = bigint | string;

/** What a SET may assign: an evaluated expression (ON/OFF arrive as strings), or DEFAULT. */
export type SetValue = string | number | bigint | boolean | null | { readonly default: true };

/** `@@x` names the session value when there is one; `@@global.x` / `@@session.x` pick explicitly. */
export type ScopeRequest = 'SESSION' | 'GLOBAL' | undefined;

// MySQL errnos for variable errors; SqlError directly, since src/errors' table is a shared contract.
const unknownVariable = (name: string): SqlError => new SqlError(1193, 'HY000', `Unknown system variable '${name}'`);
const readOnly = (name: string): SqlError => new SqlError(1238, 'HY000', `Variable '${name}' is a read only variable`);
const wrongScope = (name: string, is: 'GLOBAL' | 'SESSION'): SqlError => new SqlError(1238, 'HY000', `Variable '${name}' is a ${is} variable`);
const globalOnly = (name: string): SqlError =>
  new SqlError(1229, 'HY000', `Variable '${name}' is a GLOBAL variable and should be set with SET GLOBAL`);
const sessionOnly = (name: string): SqlError =>
  new SqlError(1228, 'HY000', `Variable '${name}' is a SESSION variable and can't be used with SET GLOBAL`);
const wrongValue = (name: string, value: string): SqlError =>
  new SqlError(1231, '42000', `Variable '${name}' can't be set to the value of '${value}'`);
const wrongType = (name: string): SqlError => new SqlError(1232, '42000', `Incorrect argument type to variable '${name}'`);
const sessionReadOnly = (name: string): SqlError =>
  new SqlError(1621, 'HY000', `SESSION variable '${name}' is read-only. Use SET GLOBAL to assign the value`);
const unknownTimeZone = (value: string): SqlError => new SqlError(1298, 'HY000', `Unknown or incorrect time zone: '${value}'`);
const unknownCharset = (value: string): SqlError => new SqlError(1115, '42000', `Unknown character set: '${value}'`);

/** Character sets SET NAMES accepts, with their default collations. */
const CHARSETS: ReadonlyMap<string, string> = new Map([
  ['utf8', 'utf8_general_ci'],
  ['utf8mb3', 'utf8_general_ci'],
  ['utf8mb4', 'utf8mb4_general_ci'],
  ['latin1', 'latin1_swedish_ci'],
  ['ascii', 'ascii_general_ci'],
  ['binary', 'binary'],
]);

function storageName(v: SystemVariable): string {
  return v.aliasOf ?? v.name;
}


/** Validate and normalise `value` for `v` (DEFAULT is handled by the caller). */
function coerce(v: SystemVariable, value: Exclude<SetValue, { readonly default: true }>): VariableValue {
  if (value === null) throw wrongValue(v.name, 'NULL');
  switch (v.type) {
    case 'boolean': {
      const text = String(value).toUpperCase();
      if (value === true || text === '1' || text === 'ON' || text === 'TRUE') return 1n;
      if (value === false || text === '0' || text === 'OFF' || text === 'FALSE') return 0n;
      throw wrongValue(v.name, String(value));
    }
    case 'integer': {
      let n: bigint;
      if (typeof value === 'bigint') n = value;
      else if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
      else if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) n = BigInt(value.trim());
      else throw wrongType(v.name);
      if (v.min !== undefined && n < v.min) n = v.min;
      if (v.max !== undefined && n > v.max) n = v.max;
      return n;
    }
    case 'enum': {
      const text = String(value).toUpperCase().replace(/_/g, '-');
      const match = v.values?.find((allowed) => allowed.toUpperCase() === text);
      if (match === undefined) throw wrongValue(v.name, String(value));
      return match;
    }
    case 'time_zone': {
      const text = String(value);
      if (/^SYSTEM$/i.test(text)) return 'SYSTEM';
      if (/^[+-](\d|0\d|1[0-4]):[0-5]\d$/.test(text)) return text;
      try {
        return new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
      } catch {
        throw unknownTimeZone(text);
      }
    }
    case 'string':
      if (typeof value === 'boolean') throw wrongType(v.name);
      return String(value);
  }
}

/** The server-wide values (SET GLOBAL). One instance per engine, shared by its sessions. */
export class GlobalVariables {
  readonly #values = new Map<string, VariableValue>();

  constructor() {
    for (const v of SYSTEM_VARIABLES) if (v.aliasOf === undefined) this.#values.set(v.name, v.defaultValue);
  }

  /** Current global value of a known variable. */
  value(v: SystemVariable): VariableValue {
    return this.#values.get(storageName(v)) ?? v.defaultValue;
  }

  /** Assign without checks (SessionVariables.set checked scope and value). */
  assign(v: SystemVariable, value: VariableValue): void {
    this.#values.set(storageName(v), value);
  }
}

/**
 * One session's view of the system variables. BOTH-scoped values are copied from the globals when the session
 * starts (MySQL semantics: SET GLOBAL affects sessions opened later, not the ones already open).
 */
export class SessionVariables {
  readonly #globals: GlobalVariables;
  readonly #values = new Map<string, VariableValue>();

  constructor(globals: GlobalVariables) {
    this.#globals = globals;
    for (const v of SYSTEM_VARIABLES) {
      if (v.aliasOf !== undefined || v.scope === 'GLOBAL') continue;
      this.#values.set(v.name, v.scope === 'BOTH' ? globals.value(v) : v.defaultValue);
    }
  }

  /** The definition, or ER_UNKNOWN_SYSTEM_VARIABLE (1193). */
  definition(name: string): SystemVariable {
    const v = findSystemVariable(name);
    if (v === undefined) throw unknownVariable(name.toLowerCase());
    return v;
  }

  /** `@@name`, `@@session.name` or `@@global.name`. */
  get(name: string, scope?: ScopeRequest): VariableValue {
    const v = this.definition(name);
    if (scope === 'GLOBAL') {
      if (v.scope === 'SESSION') throw wrongScope(v.name, 'SESSION');
      return this.#globals.value(v);
    }
    if (v.scope === 'GLOBAL') {
      if (scope === 'SESSION') throw wrongScope(v.name, 'GLOBAL');
      return this.#globals.value(v);
    }
    return this.#values.get(storageName(v)) ?? v.defaultValue;
  }

  /** The value with the column type a SELECT of it returns (integers and booleans BIGINT, the rest VARCHAR). */
  getTyped(name: string, scope?: ScopeRequest): { readonly value: VariableValue; readonly type: ColumnType } {
    const value = this.get(name, scope);
    return { value, type: typeof value === 'bigint' ? { name: 'BIGINT' } : { name: 'VARCHAR', length: Math.max(1, value.length) } };
  }

  /** `SET [SESSION|GLOBAL] name = value`; no scope means SESSION. */
  set(name: string, value: SetValue, scope: ScopeRequest = 'SESSION'): void {
    const v = this.definition(name);
    if (v.readOnly) throw readOnly(v.name);
    if (scope === 'GLOBAL' && v.scope === 'SESSION') throw sessionOnly(v.name);
    if (scope !== 'GLOBAL' && v.scope === 'GLOBAL') throw globalOnly(v.name);
    if (scope !== 'GLOBAL' && v.sessionReadOnly === true) throw sessionReadOnly(v.name);
    let coerced: VariableValue;
    if (value !== null && typeof value === 'object') coerced = scope === 'GLOBAL' ? v.defaultValue : this.#globals.value(v);
    else coerced = coerce(v, value);
    if (scope === 'GLOBAL') this.#globals.assign(v, coerced);
    else this.#values.set(storageName(v), coerced);
  }

  /** `SET NAMES charset [COLLATE collation]`: client, connection and results character sets. */
  setNames(charset: string, collation?: string): void {
    const name = charset.toLowerCase();
    const defaultCollation = CHARSETS.get(name);
    if (defaultCollation === undefined) throw unknownCharset(charset);
    this.#values.set('character_set_client', name);
    this.#values.set('character_set_connection', name);
    this.#values.set('character_set_results', name);
    this.#values.set('collation_connection', collation?.toLowerCase() ?? defaultCollation);
  }

  /**
   * SHOW [SESSION|GLOBAL] VARIABLES [LIKE pattern]: `[Variable_name, Value]` sorted by name. Booleans show as ON/OFF
   * (while `@@x` selects give 1/0), as MySQL does.
   */
  showRows(filter: { readonly like?: string } = {}, scope: 'SESSION' | 'GLOBAL' = 'SESSION'): readonly (readonly [string, string])[] {
    const pattern = filter.like === undefined ? undefined : showLikeMatcher(filter.like);
    const rows: [string, string][] = [];
    for (const v of SYSTEM_VARIABLES) {
      if (scope === 'GLOBAL' && v.scope === 'SESSION') continue;
      if (pattern !== undefined && !pattern.test(v.name)) continue;
      const value = this.get(v.name, scope === 'GLOBAL' ? 'GLOBAL' : undefined);
      rows.push([v.name, v.type === 'boolean' ? (value === 1n ? 'ON' : 'OFF') : String(value)]);
    }
    return rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}
