/**
 * MySQL executable comments (`/*!NNNNN … *\/`): executed at or below 8.0.33, skipped above it, MariaDB's `/*M!` a plain
 * comment; positions in errors are those of the text as written; a text of comments only is MySQL's empty statement.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandExecutableComments, parseSql, parseStatement, splitSql } from '../../grammar/index.ts';
import { SqlError } from '../../src/errors/sql-error.ts';
import { withoutSourceText } from './helpers.ts';

function errorOf(run: () => unknown): SqlError {
  try {
    run();
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error('expected a SqlError');
}

const same = (a: string, b: string): void => expect(withoutSourceText(parseStatement(a))).toEqual(withoutSourceText(parseStatement(b)));

describe('executable comments', () => {
  it('runs the content of a version comment at or below 8.0.33, as MySQL does', () => {
    same('SELECT 1 /*!50000 + 1 */', 'SELECT 1 + 1');
    same('SELECT 1 /*!80033 + 1 */', 'SELECT 1 + 1');
    same("/*!40100 SET @@SQL_MODE='' */", "SET @@SQL_MODE=''");
    same('SELECT /*!40001 SQL_NO_CACHE */ 1', 'SELECT SQL_NO_CACHE 1');
    // No version: always executed.
    same('SELECT 1 /*! + 2 */', 'SELECT 1 + 2');
    // Only five digits are the version: the sixth is SQL.
    same('SELECT /*!400015 */', 'SELECT 5');
  });

  it('skips a later version, and MariaDB-only /*M! comments, as comments', () => {
    same('SELECT 1 /*!80034 + 1 */', 'SELECT 1');
    same('SELECT 1 /*!99999 garbage ( */', 'SELECT 1');
    // A skipped version comment may hold one nested comment.
    same('SELECT 1 /*!99999 a /* inner */ b */ + 3', 'SELECT 1 + 3');
    same('SELECT 1 /*M!100616 + 1 */', 'SELECT 1');
    expect(splitSql('/*M!100616 SET @OLD_NOTE_VERBOSITY=@@NOTE_VERBOSITY, NOTE_VERBOSITY=0 */')).toEqual([]);
  });

  it('leaves strings, quoted names and line comments alone', () => {
    expect(expandExecutableComments("SELECT '/*!50000 x */', `/*!1`")).toBe("SELECT '/*!50000 x */', `/*!1`");
    same("SELECT 'a*/b' /*!50000 , 'c*/d' */", "SELECT 'a*/b', 'c*/d'");
    same('SELECT 1 -- /*!50000 + 9 */\n', 'SELECT 1');
    same('SELECT 1 /*!50000 /* regular */ + 2 */', 'SELECT 1 + 2');
  });

  it('splits statements inside and around executable comments', () => {
    const chunks = splitSql("/*!40101 SET NAMES utf8mb4 */;\n/*!40103 SET TIME_ZONE='+00:00' */;\nSELECT 1");
    expect(chunks.map((c) => c.text)).toEqual(['SET NAMES utf8mb4', "SET TIME_ZONE='+00:00'", 'SELECT 1']);
    expect(chunks.map((c) => c.position)).toEqual([{ line: 1, column: 10 }, { line: 2, column: 10 }, { line: 3, column: 1 }]);
    expect(parseSql('SELECT 1 /*!50000 ; SELECT 2 */')).toHaveLength(2);
  });

  it('reports syntax errors inside them at the position as written', () => {
    const e = errorOf(() => parseStatement('SELECT 1\n  /*!50000 + FROM */'));
    expect([e.errno, e.line, e.column]).toEqual([1064, 2, 14]);
  });

  it('an executable comment never closed is a syntax error at its start', () => {
    const e = errorOf(() => parseStatement('SELECT 1 /*!50000 + 1'));
    expect([e.errno, e.line, e.column]).toEqual([1064, 1, 10]);
    expect(e.message).toContain("add the closing '*/'");
    // Its `*/` inside a string of the content does not close it.
    const split = errorOf(() => parseSql("SELECT 1;\n/*!50000 SELECT 'open */"));
    expect([split.errno, split.line, split.column]).toEqual([1064, 2, 1]);
  });

  it('a second opener inside loses its marker and the first */ closes both (MySQL keeps one flag)', () => {
    same('SELECT 1 /*!50000 + /*!50000 2 */', 'SELECT 1 + 2');
    expect(errorOf(() => parseStatement('SELECT 1 /*!50000 + /*!50000 2 */ + 3 */')).errno).toBe(1064);
  });

  it('keeps every offset and line break (fast-check)', () => {
    const piece = fc.constantFrom(
      'SELECT', ' ', '\n', '\r\n', '1', '/*!50000 ', '/*!99999 ', '/*M!100100 ', '/*! ', '*/', "'", '"', '`', '/* ', '-- ', '#', '\\', 'x',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const out = expandExecutableComments(text);
        expect(out.length).toBe(text.length);
        for (let i = 0; i < text.length; i++) {
          const c = text[i];
          if (c === '\n' || c === '\r') expect(out[i]).toBe(c);
          else if (out[i] !== c) expect(out[i]).toBe(' ');
        }
        expect(expandExecutableComments(out)).toBe(out);
      }),
      { numRuns: 500 },
    );
  });
});
