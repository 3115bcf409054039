import { describe, expect, it } from 'vitest';
import { SqlError } from '../../src/errors/sql-error.ts';
import { parseSql, parseStatement } from '../../grammar/index.ts';

function errorOf(run: () => unknown): SqlError {
  try {
    run();
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error('expected a SqlError');
}

describe('syntax errors', () => {
  it('says what was found, where, and what was expected', () => {
    const e = errorOf(() => parseStatement('SELECT * FROMM t'));
    expect(e.errno).toBe(1064);
    expect(e.sqlState).toBe('42000');
    expect([e.line, e.column]).toEqual([1, 10]);
    expect(e.message).toBe(
      "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near 'FROMM t' at line 1, column 10. Expected one of: ',', FROM, WHERE, GROUP, HAVING, INTERSECT, UNION, EXCEPT, MINUS, ORDER, LIMIT, end of statement.",
    );
  });

  it('reports end of input', () => {
    const e = errorOf(() => parseStatement('SELECT a FROM'));
    expect([e.errno, e.line, e.column]).toEqual([1064, 1, 14]);
    expect(e.message).toContain('at end of input (line 1, column 14)');
    expect(e.message).toContain("Expected one of: TABLE, '(', identifier.");
  });

  it('reports positions on later lines and in later statements', () => {
    const e = errorOf(() => parseSql('SELECT 1;\nSELECT 2;\nBACKUP SNAPSHOT s\n  TOO repo'));
    expect([e.line, e.column]).toEqual([4, 3]);
    expect(e.message).toContain("near 'TOO repo' at line 4, column 3. Expected one of: '.', TO.");
  });

  it('lists the statements when the first word is wrong, capped', () => {
    const e = errorOf(() => parseStatement('SELEC 1'));
    expect([e.line, e.column]).toEqual([1, 1]);
    expect(e.message).toMatch(/near 'SELEC 1' at line 1, column 1\. Expected one of: SELECT, '\(', CREATE, .*, …\.$/);
  });

  it('names the missing piece of BACKUP', () => {
    const e = errorOf(() => parseStatement('BACKUP SNAPSHOT db.label TO repo ON (TABLE)'));
    expect(e.column).toBe(43);
    expect(e.message).toContain("near ')' at line 1, column 43. Expected: identifier.");
  });

  it('reports lexer errors with positions', () => {
    const s = errorOf(() => parseStatement("SELECT 'abc"));
    expect([s.errno, s.line, s.column]).toEqual([1064, 1, 8]);
    expect(s.message).toContain("string starting here is never closed: add the closing '''");
    const c = errorOf(() => parseStatement('SELECT 1 /* open'));
    expect([c.line, c.column]).toEqual([1, 10]);
    expect(c.message).toContain("add the closing '*/'");
    const q = errorOf(() => parseStatement('SELECT `abc'));
    expect(q.message).toContain("add the closing '`'");
    const ch = errorOf(() => parseStatement('SELECT 1\n  { 2'));
    expect([ch.line, ch.column]).toEqual([2, 3]);
    expect(ch.message).toContain("Unexpected character '{'");
    // `?` is a prepared statement's parameter marker: a token, but no value outside PREPARE / COM_STMT_PREPARE.
    const marker = errorOf(() => parseStatement('SELECT 1\n  ? 2'));
    expect([marker.errno, marker.line, marker.column]).toEqual([1064, 2, 3]);
  });

  it('rejects empty input with 1065 and extra statements in parseStatement', () => {
    for (const empty of ['', '   ', ';;', '-- only a comment', '/* c */ ;']) {
      const e = errorOf(() => parseSql(empty));
      expect([e.errno, e.sqlState, e.message]).toEqual([1065, '42000', 'Query was empty']);
    }
    expect(errorOf(() => parseStatement('')).errno).toBe(1065);
    expect(parseStatement('SELECT 1;').kind).toBe('Select');
    const e = errorOf(() => parseStatement('SELECT 1; SELECT 2'));
    expect([e.errno, e.column]).toEqual([1064, 11]);
    expect(e.message).toContain('Only one statement is allowed here');
  });

  it('rejects non-integers where counts are needed', () => {
    const e = errorOf(() => parseStatement('SELECT 1 LIMIT 1.5'));
    expect([e.errno, e.column]).toEqual([1064, 16]);
    expect(e.message).toContain("Expected a whole number, got '1.5'");
  });

  it('reports deep nesting as a syntax error, not a crash', () => {
    const deep = `SELECT ${'('.repeat(5000)}1${')'.repeat(5000)}`;
    const e = errorOf(() => parseStatement(deep));
    expect(e.errno).toBe(1064);
  });
});

describe('parseSql', () => {
  it('returns each statement with its text and position, skipping empty ones', () => {
    const parsed = parseSql(' SELECT 1 ;; \n  SHOW TABLES;\n');
    expect(parsed.map((p) => [p.text, p.position, p.statement.kind])).toEqual([
      ['SELECT 1', { line: 1, column: 2 }, 'Select'],
      ['SHOW TABLES', { line: 2, column: 3 }, 'ShowTables'],
    ]);
  });
});
