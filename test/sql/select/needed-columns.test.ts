import { describe, expect, it } from 'vitest';
import { parseStatement } from '../../../grammar/index.ts';
import type { SelectStmt } from '../../../grammar/ast.ts';
import type { Scope } from '../../../src/sql/eval/scope.ts';
import { neededColumns } from '../../../src/sql/select/needed-columns.ts';

const scope: Scope = {
  columns: ['a', 'b', 'c', 'd'].map((name) => ({ name, qualifiers: ['db', 't'], type: { name: 'INT' }, nullable: true })),
};
const needed = (sql: string): readonly number[] | undefined => neededColumns(parseStatement(sql) as SelectStmt, scope);

describe('neededColumns (the columns a table scan must decode)', () => {
  it('collects every column a clause reads, and nothing else', () => {
    expect(needed('SELECT COUNT(*) FROM t')).toEqual([]);
    expect(needed('SELECT SUM(b) FROM t')).toEqual([1]);
    expect(needed('SELECT a FROM t WHERE c > 1 ORDER BY t.d')).toEqual([0, 2, 3]);
    expect(needed('SELECT a, COUNT(*) FROM t GROUP BY a HAVING MAX(b) > 1')).toEqual([0, 1]);
    expect(needed("SELECT CASE WHEN a IN (1, b) THEN CAST(c AS BIGINT) END FROM t WHERE d LIKE 'x%'")).toEqual([0, 1, 2, 3]);
  });

  it('ignores output aliases and reads everything for *', () => {
    expect(needed('SELECT a AS x FROM t ORDER BY x')).toEqual([0]);
    expect(needed('SELECT * FROM t')).toBeUndefined();
    expect(needed('SELECT t.* FROM t')).toBeUndefined();
  });
});
