/**
 * Tab completion. The word under the cursor is completed from what the words before it make likely: a table after
 * FROM / JOIN / INTO / TABLE / DESCRIBE / `\d`, a database after USE / DATABASE / `\c` / `FROM` in SHOW TABLES, a
 * repository after TO / ON REPOSITORY / FROM in BACKUP, RESTORE, SHOW SNAPSHOT; otherwise keywords, tables and
 * databases. Keywords come from the grammar, so completion never offers a word the parser does not know; they are
 * offered in the case the user is typing in.
 */
import { kw } from '../../../grammar/tokens.ts';

/** Names the completer can offer; the shell fetches them (SHOW DATABASES / TABLES / REPOSITORIES). */
export interface CompletionNames {
  readonly databases: readonly string[];
  /** Tables of the current database. */
  readonly tables: readonly string[];
  readonly repositories: readonly string[];
  /** Tables of another database (for `db.` prefixes); absent when unknown. */
  readonly tablesOf?: (db: string) => readonly string[];
}

/** What kind of name belongs at the cursor. */
export type CompletionContext = 'meta' | 'table' | 'database' | 'repository' | 'any';

export const KEYWORDS: readonly string[] = Object.keys(kw).sort();

export const META_COMMANDS: readonly string[] = ['\\?', '\\c', '\\d', '\\dt', '\\l', '\\pset', '\\q', '\\r', '\\timing', '\\wait', '\\watch', '\\x'];

const WORD = /[\w$.`\\?]*$/;

/** The word being completed: everything after the last space, comma or parenthesis. */
export function currentWord(line: string): string {
  return WORD.exec(line)?.[0] ?? '';
}

/** Decide what to offer from the text before the word (`before` includes earlier lines of the statement). */
export function completionContext(before: string, word: string): CompletionContext {
  const trimmed = before.trimStart();
  if (word.startsWith('\\') && trimmed.length === 0) return 'meta';
  const words = before.toUpperCase().match(/[\\\w$]+/g) ?? [];
  const prev = words[words.length - 1];
  const prev2 = words[words.length - 2];
  const first = words[0];
  if (prev === undefined) return 'any';
  if (prev === '\\C') return 'database';
  if (prev === '\\D' || prev === '\\DT') return prev === '\\D' ? 'table' : 'database';
  if (prev === 'USE' || prev === 'DATABASE' || prev === 'SCHEMA' || prev === 'IN') return 'database';
  if (prev === 'REPOSITORY') return 'repository';
  if ((first === 'BACKUP' && prev === 'TO') || (first === 'RESTORE' && prev === 'FROM')) return 'repository';
  if (first === 'SHOW' && prev === 'ON') return 'repository';
  if (first === 'SHOW' && prev === 'FROM') return prev2 === 'TABLES' || prev2 === 'BACKUP' || prev2 === 'RESTORE' ? 'database' : 'table';
  if (['FROM', 'JOIN', 'INTO', 'TABLE', 'UPDATE', 'DESCRIBE', 'DESC', 'TRUNCATE'].includes(prev)) return 'table';
  if (prev === 'ON' && (first === 'BACKUP' || first === 'RESTORE')) return 'table';
  return 'any';
}

/**
 * Candidates for `line` (the text before the cursor on the current line) with `previous` (earlier lines of the
 * statement). Returns readline's `[completions, word]`.
 */
export function complete(line: string, previous: string, names: CompletionNames): [string[], string] {
  const word = currentWord(line);
  const before = `${previous}\n${line.slice(0, line.length - word.length)}`;
  const context = completionContext(before, word);
  const bare = word.replace(/`/g, '');
  let pool: readonly string[];
  switch (context) {
    case 'meta':
      return [META_COMMANDS.filter((m) => m.startsWith(word)), word];
    case 'database':
      pool = names.databases;
      break;
    case 'repository':
      pool = names.repositories;
      break;
    case 'table': {
      const dot = bare.indexOf('.');
      if (dot >= 0 && names.tablesOf !== undefined) {
        const db = bare.slice(0, dot);
        pool = names.tablesOf(db).map((t) => `${db}.${t}`);
      } else pool = [...names.tables, ...names.databases.map((d) => `${d}.`)];
      break;
    }
    case 'any':
      pool = [...keywordsInCaseOf(bare), ...names.tables, ...names.databases];
      break;
  }
  const lower = bare.toLowerCase();
  const hits = [...new Set(pool.filter((c) => c.toLowerCase().startsWith(lower)))].sort();
  return [hits, word];
}

/** Keywords upper-case, unless the user is typing lower-case. */
function keywordsInCaseOf(word: string): readonly string[] {
  return word.length > 0 && word === word.toLowerCase() && /[a-z]/.test(word) ? KEYWORDS.map((k) => k.toLowerCase()) : KEYWORDS;
}
