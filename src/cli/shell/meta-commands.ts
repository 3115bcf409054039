/**
 * Backslash commands, psql style. A line starting with `\` (outside an open quote) is a command to the shell, not
 * SQL; its arguments are whitespace-separated, optionally quoted with `'…'` or back quotes.
 */

export interface MetaCommand {
  /** The command without the backslash: `x`, `dt`, `watch`. */
  readonly name: string;
  readonly args: readonly string[];
}

/** Parse a `\…` line; null when the line is not a meta-command. */
export function parseMeta(line: string): MetaCommand | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('\\')) return null;
  const m = /^\\([A-Za-z?]+|\S)(.*)$/s.exec(trimmed);
  if (m === null) return null;
  // `\g` and `\G` end a statement (the mysql client's go / go-vertical): they belong to the statement buffer.
  if (m[1] === 'g' || m[1] === 'G') return null;
  return { name: m[1] as string, args: splitArgs(m[2] as string) };
}

function splitArgs(text: string): string[] {
  const args: string[] = [];
  const re = /'((?:[^']|'')*)'|`((?:[^`]|``)*)`|(\S+)/g;
  for (const m of text.matchAll(re)) {
    if (m[1] !== undefined) args.push(m[1].replace(/''/g, "'"));
    else if (m[2] !== undefined) args.push(m[2].replace(/``/g, '`'));
    else args.push(m[3] as string);
  }
  return args;
}

/** `on` / `off` / toggle, as psql's boolean options. Returns null for anything else. */
export function booleanArg(arg: string | undefined, current: boolean): boolean | null {
  if (arg === undefined) return !current;
  const a = arg.toLowerCase();
  if (a === 'on' || a === 'true' || a === '1' || a === 'yes') return true;
  if (a === 'off' || a === 'false' || a === '0' || a === 'no') return false;
  return null;
}

export const HELP = `General
  \\q                  quit (also Ctrl-D on an empty line, or quit / exit)
  \\?                  show this help

Query buffer
  \\r                  reset (clear) the statement being typed
  \\watch [SEC]        re-run the last statement every SEC seconds (default 2) until Ctrl-C

Formatting
  \\x [on|off|auto]    toggle expanded output (one block per row); auto: when a row is wider than the terminal
  ...\\G               end a statement with \\G instead of ; for its result in the mysql client's vertical form
  \\pager [CMD|off]    page results that do not fit the terminal with CMD (default $PAGER or less -S), or stop
  \\nopager            stop paging
  \\pset null [TEXT]   show NULL as TEXT (default [NULL])
  \\timing [on|off]    toggle printing each statement's execution time

Informational
  \\l                  list databases (SHOW DATABASES)
  \\dt [DB]            list tables of the current database or of DB (SHOW TABLES)
  \\d [TABLE]          describe TABLE (DESCRIBE); without TABLE, like \\dt

Connection
  \\c DB               use database DB (USE)

Jobs
  \\wait [JOBID]       re-attach to the progress of the last (or the given) BACKUP / RESTORE started here

Keys
  Enter               run the statement once it ends with ;
  Tab                 complete keywords, databases, tables, repositories
  Up / Down           walk the history (kept in ~/.tablevault_history)
  Ctrl-C              interrupt the running statement, detach from a job's progress (the job goes on),
                      or clear the statement being typed
  Ctrl-D              quit (on an empty line)
`;
