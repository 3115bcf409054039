import { SERVER_VERSION, VERSION_COMMENT } from './version.ts';

/** Where a variable lives: per session, server-wide, or both (session copy initialised from the global one). */
export type VariableScope = 'SESSION' | 'GLOBAL' | 'BOTH';

/** How values are validated and represented: booleans and integers are bigints (Value's BIGINT form). */
export type VariableType = 'boolean' | 'integer' | 'string' | 'enum' | 'time_zone';

/** One system variable. */
export interface SystemVariable {
  /** Lower-case name (names are case-insensitive). */
  readonly name: string;
  readonly scope: VariableScope;
  /** True when no SET may change it. */
  readonly readOnly: boolean;
  readonly type: VariableType;
  /** Initial value: bigint for boolean (0n/1n) and integer, string otherwise. */
  readonly defaultValue: bigint | string;
  /** Allowed values of an enum, in canonical spelling. */
  readonly values?: readonly string[];
  /** Inclusive bounds of an integer; values outside are clamped, as MySQL does. */
  readonly min?: bigint;
  readonly max?: bigint;
  /** Another variable this one is a second name for (tx_isolation → transaction_isolation); they share storage. */
  readonly aliasOf?: string;
  /** The session value is a copy of the global one that only SET GLOBAL changes (MySQL's max_allowed_packet). */
  readonly sessionReadOnly?: boolean;
}

function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const ISOLATION_LEVELS = ['READ-UNCOMMITTED', 'READ-COMMITTED', 'REPEATABLE-READ', 'SERIALIZABLE'] as const;
const UINT64_MAX = 18446744073709551615n;

type Def = Omit<SystemVariable, 'readOnly' | 'scope'> & { readonly scope?: VariableScope; readonly readOnly?: boolean };

const both = (d: Def): SystemVariable => ({ scope: 'BOTH', readOnly: false, ...d });
const global = (d: Def): SystemVariable => ({ scope: 'GLOBAL', readOnly: false, ...d });
const readOnlyGlobal = (d: Def): SystemVariable => ({ scope: 'GLOBAL', readOnly: true, ...d });
const session = (d: Def): SystemVariable => ({ scope: 'SESSION', readOnly: false, ...d });

/**
 * The variables real clients read or set at connect and in use: the mariadb/mysql CLIs (`@@version_comment`,
 * character sets), Connector/J's connect-time select (auto_increment_increment … wait_timeout), mysqldump's
 * preamble (unique_checks, foreign_key_checks, sql_notes, time_zone), GUI tools (sql_select_limit, max_execution_time),
 * plus StarRocks' own session variables people set from habit (query_timeout, exec_mem_limit…).
 */
export const SYSTEM_VARIABLES: readonly SystemVariable[] = [
  both({ name: 'autocommit', type: 'boolean', defaultValue: 1n }),
  both({ name: 'auto_increment_increment', type: 'integer', defaultValue: 1n, min: 1n, max: 65535n }),
  both({ name: 'auto_increment_offset', type: 'integer', defaultValue: 1n, min: 1n, max: 65535n }),
  both({ name: 'character_set_client', type: 'string', defaultValue: 'utf8' }),
  both({ name: 'character_set_connection', type: 'string', defaultValue: 'utf8' }),
  both({ name: 'character_set_results', type: 'string', defaultValue: 'utf8' }),
  both({ name: 'character_set_server', type: 'string', defaultValue: 'utf8' }),
  both({ name: 'character_set_database', type: 'string', defaultValue: 'utf8' }),
  readOnlyGlobal({ name: 'character_set_system', type: 'string', defaultValue: 'utf8' }),
  readOnlyGlobal({ name: 'character_set_filesystem', type: 'string', defaultValue: 'binary' }),
  both({ name: 'collation_connection', type: 'string', defaultValue: 'utf8_general_ci' }),
  both({ name: 'collation_server', type: 'string', defaultValue: 'utf8_general_ci' }),
  both({ name: 'collation_database', type: 'string', defaultValue: 'utf8_general_ci' }),
  global({ name: 'connect_timeout', type: 'integer', defaultValue: 10n, min: 2n, max: 31536000n }),
  both({ name: 'div_precision_increment', type: 'integer', defaultValue: 4n, min: 0n, max: 30n }),
  session({ name: 'error_count', type: 'integer', defaultValue: 0n, readOnly: true }),
  both({ name: 'exec_mem_limit', type: 'integer', defaultValue: 2147483648n, min: 0n }),
  both({ name: 'foreign_key_checks', type: 'boolean', defaultValue: 1n }),
  both({ name: 'group_concat_max_len', type: 'integer', defaultValue: 1024n, min: 4n }),
  readOnlyGlobal({ name: 'have_openssl', type: 'string', defaultValue: 'DISABLED' }),
  readOnlyGlobal({ name: 'have_ssl', type: 'string', defaultValue: 'DISABLED' }),
  global({ name: 'init_connect', type: 'string', defaultValue: '' }),
  both({ name: 'interactive_timeout', type: 'integer', defaultValue: 3600n, min: 1n, max: 31536000n }),
  readOnlyGlobal({ name: 'language', type: 'string', defaultValue: '/tablevault/share/english/' }),
  session({ name: 'last_insert_id', type: 'integer', defaultValue: 0n, min: 0n }),
  readOnlyGlobal({ name: 'license', type: 'string', defaultValue: 'Apache License, Version 2.0' }),
  both({ name: 'load_mem_limit', type: 'integer', defaultValue: 0n, min: 0n }),
  both({ name: 'lock_wait_timeout', type: 'integer', defaultValue: 31536000n, min: 1n, max: 31536000n }),
  readOnlyGlobal({ name: 'lower_case_table_names', type: 'integer', defaultValue: 0n }),
  // Checked on every client packet (1153) and statement; only SET GLOBAL changes it, as in MySQL (sessions opened later).
  both({ name: 'max_allowed_packet', type: 'integer', defaultValue: 33554432n, min: 1024n, max: 1073741824n, sessionReadOnly: true }),
  global({ name: 'max_connections', type: 'integer', defaultValue: 1024n, min: 1n, max: 100000n }),
  both({ name: 'max_execution_time', type: 'integer', defaultValue: 0n, min: 0n }),
  both({ name: 'net_buffer_length', type: 'integer', defaultValue: 16384n, min: 1024n, max: 1048576n }),
  both({ name: 'net_read_timeout', type: 'integer', defaultValue: 60n, min: 1n }),
  both({ name: 'net_write_timeout', type: 'integer', defaultValue: 60n, min: 1n }),
  readOnlyGlobal({ name: 'performance_schema', type: 'boolean', defaultValue: 0n }),
  readOnlyGlobal({ name: 'protocol_version', type: 'integer', defaultValue: 10n }),
  both({ name: 'query_cache_type', type: 'enum', defaultValue: 'OFF', values: ['OFF', 'ON', 'DEMAND'] }),
  global({ name: 'query_cache_size', type: 'integer', defaultValue: 1048576n, min: 0n }),
  both({ name: 'query_mem_limit', type: 'integer', defaultValue: 0n, min: 0n }),
  both({ name: 'query_timeout', type: 'integer', defaultValue: 300n, min: 1n, max: 259200n }),
  // Statement limits (docs/robustness.md): checked before the work they bound. expr_depth_limit can only be lowered:
  // expressions are compiled and evaluated recursively on the main thread's stack.
  both({ name: 'parse_tokens_limit', type: 'integer', defaultValue: 1_000_000n, min: 1n, max: 3_500_000n }),
  both({ name: 'expr_depth_limit', type: 'integer', defaultValue: 1000n, min: 1n, max: 1000n }),
  both({ name: 'expr_children_limit', type: 'integer', defaultValue: 10_000n, min: 1n, max: 1_000_000n }),
  both({ name: 'sql_auto_is_null', type: 'boolean', defaultValue: 0n }),
  both({ name: 'sql_mode', type: 'string', defaultValue: 'ONLY_FULL_GROUP_BY' }),
  both({ name: 'sql_notes', type: 'boolean', defaultValue: 1n }),
  both({ name: 'sql_quote_show_create', type: 'boolean', defaultValue: 1n }),
  both({ name: 'sql_safe_updates', type: 'boolean', defaultValue: 0n }),
  both({ name: 'sql_select_limit', type: 'integer', defaultValue: UINT64_MAX, min: 0n, max: UINT64_MAX }),
  readOnlyGlobal({ name: 'system_time_zone', type: 'string', defaultValue: systemTimeZone() }),
  both({ name: 'time_zone', type: 'time_zone', defaultValue: systemTimeZone() }),
  both({ name: 'transaction_isolation', type: 'enum', defaultValue: 'REPEATABLE-READ', values: ISOLATION_LEVELS }),
  both({ name: 'transaction_read_only', type: 'boolean', defaultValue: 0n }),
  both({ name: 'tx_isolation', type: 'enum', defaultValue: 'REPEATABLE-READ', values: ISOLATION_LEVELS, aliasOf: 'transaction_isolation' }),
  both({ name: 'tx_read_only', type: 'boolean', defaultValue: 0n, aliasOf: 'transaction_read_only' }),
  both({ name: 'unique_checks', type: 'boolean', defaultValue: 1n }),
  readOnlyGlobal({ name: 'version', type: 'string', defaultValue: SERVER_VERSION }),
  readOnlyGlobal({ name: 'version_comment', type: 'string', defaultValue: VERSION_COMMENT }),
  readOnlyGlobal({ name: 'version_compile_machine', type: 'string', defaultValue: process.arch === 'arm64' ? 'aarch64' : 'x86_64' }),
  readOnlyGlobal({ name: 'version_compile_os', type: 'string', defaultValue: process.platform === 'darwin' ? 'osx' : 'Linux' }),
  both({ name: 'wait_timeout', type: 'integer', defaultValue: 28800n, min: 1n, max: 31536000n }),
  session({ name: 'warning_count', type: 'integer', defaultValue: 0n, readOnly: true }),
];

const BY_NAME: ReadonlyMap<string, SystemVariable> = new Map(SYSTEM_VARIABLES.map((v) => [v.name, v]));

/** Look a variable up by any spelling of its name. */
export function findSystemVariable(name: string): SystemVariable | undefined {
  return BY_NAME.get(name.toLowerCase());
}
