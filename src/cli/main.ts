/**
 * `tablevault` command line: `serve` runs the MySQL-protocol server, `sql` the shell. See DESIGN.md §4.
 *
 * Only light modules are imported up front: `--version` and `--help` must answer without loading the engine, the
 * grammar or the AWS SDK (each costs hundreds of milliseconds), so each command loads its own code when it runs.
 */
import { TABLEVAULT_VERSION } from '../sql/variables/version.ts';
import { UsageError } from './args.ts';

/**
 * Errors that mean "this data dir is not yours to open" (util/dir-lock.ts DirectoryLockedError, storage/identity.ts
 * ForeignBackendError), known by name: importing their modules would load SQLite and the catalog for `--version`.
 */
const DATA_DIR_REFUSALS: ReadonlySet<string> = new Set(['DirectoryLockedError', 'ForeignBackendError']);

const USAGE = `usage:
  tablevault serve [--data-dir DIR] [--host 127.0.0.1] [--port 9030] [--backends 3]
  tablevault sql [--data-dir DIR | -h HOST -P PORT -u USER [-pPASSWORD]] [-D DB] [-e "SQL; SQL"]
  tablevault --version
Run a command with --help for its options.
`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve': {
        const { runServe } = await import('../server/serve-command.ts');
        return await runServe(rest);
      }
      case 'sql': {
        const { runSql } = await import('./sql-command.ts');
        return await runSql(rest);
      }
      case '--version':
      case '-V':
        process.stdout.write(`tablevault ${TABLEVAULT_VERSION}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-?':
      case 'help':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`tablevault: unknown command '${command}'\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`tablevault ${command}: ${error.message} (see --help)\n`);
      return 2;
    }
    if (error instanceof Error && DATA_DIR_REFUSALS.has(error.name)) {
      // Another process owns the data dir (or a backend dir is another data dir's): say what to do, not a stack trace.
      process.stderr.write(`tablevault ${command}: ${error.message}\n`);
      return 1;
    }
    const e = error as { errno?: number; sqlState?: string; message?: string };
    if (typeof e.errno === 'number' && typeof e.sqlState === 'string') {
      process.stderr.write(`ERROR ${e.errno} (${e.sqlState}): ${e.message}\n`);
      return 1;
    }
    throw error;
  }
}
