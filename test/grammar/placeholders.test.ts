/** `?` markers: found by the lexer only, bound into the AST where they are expressions, into the text elsewhere. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStatement } from '../../grammar/index.ts';
import { placeholderOffsets, prepareText, substitutePlaceholders } from '../../grammar/placeholders.ts';
import { parameterExpr, parameterLiteral, type ParameterValue } from '../../src/sql/prepared/parameters.ts';

const value: fc.Arbitrary<ParameterValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  // Integral doubles are written into text as integers (`LIMIT ?` from mysql2, which sends numbers as DOUBLE): below.
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => !Number.isInteger(v)).map((v) => ({ kind: 'double' as const, value: v })),
  fc.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.nat({ max: 999 })).map(([i, f]) => ({ kind: 'decimal' as const, text: `${i}.${String(f).padStart(3, '0')}` })),
  fc.string({ unit: 'grapheme', maxLength: 10 }).map((t) => ({ kind: 'string' as const, text: t })),
  fc.constantFrom('1999-12-31', '2024-02-29').map((t) => ({ kind: 'date' as const, text: t })),
  fc.constantFrom('2024-02-29 23:59:59', '2000-01-01 00:00:00.000001').map((t) => ({ kind: 'datetime' as const, text: t })),
);

describe('prepared statement markers', () => {
  it('a ? in a string, a comment or a back-quoted name is not a marker', () => {
    const text = "SELECT '?', \"?\", `?`, ? /* ? */ FROM t -- ?\nWHERE a = ? # ?";
    const markers = placeholderOffsets(text);
    expect(markers.map((m) => text[m])).toEqual(['?', '?']);
    expect(markers).toEqual([text.indexOf('`, ?') + 3, text.indexOf('a = ?') + 4]);
    expect(substitutePlaceholders(text, markers, ['1', "'x'"])).toBe("SELECT '?', \"?\", `?`, 1 /* ? */ FROM t -- ?\nWHERE a = 'x' # ?");
  });

  it('bound into the AST, a value gives the statement its literal text would parse to', () => {
    const prepared = prepareText('SELECT ?, ? + 1 AS n FROM t WHERE a = ? AND b IN (?, ?)');
    fc.assert(
      fc.property(fc.array(value, { minLength: 5, maxLength: 5 }), (values) => {
        const bound = prepared.bindExpressions(values.map(parameterExpr));
        const parsed = parseStatement(substitutePlaceholders(prepared.text, prepared.markers, values.map(parameterLiteral)));
        // Select item titles are the prepared text's (`?`, `? + 1`), as MySQL names them; the rest is the same.
        const withoutTitles = (s: unknown): unknown => JSON.parse(JSON.stringify(s, (k, v: unknown) => (k === 'text' ? undefined : v)));
        expect(withoutTitles(bound)).toEqual(withoutTitles(parsed));
      }),
      { numRuns: 300 },
    );
  });

  it('markers that are not expressions (LIMIT ?, a property value) are bound into the text; titles keep the ?', () => {
    // A DOUBLE stays a DOUBLE in an expression; written into the text, an integral one is the integer it is.
    expect(parameterExpr({ kind: 'double', value: 2 })).toEqual({ kind: 'NumberLiteral', text: '2e+0' });
    expect(parameterLiteral({ kind: 'double', value: 2 })).toBe('2');
    expect(parameterLiteral({ kind: 'double', value: -0.5 })).toBe(' -5e-1');
    expect(prepareText('SELECT a FROM t LIMIT ?').bindExpressions([{ kind: 'NumberLiteral', text: '1' }])).toBeUndefined();
    const select = prepareText('SELECT ? + 1').bindExpressions([{ kind: 'NumberLiteral', text: '41' }]);
    expect(select).toMatchObject({ kind: 'Select', items: [{ kind: 'SelectExpr', text: '? + 1' }] });
    expect(() => prepareText('SELEC ?')).toThrow(expect.objectContaining({ errno: 1064, line: 1, column: 1 }));
  });

  it('a ? inside an executed executable comment is a marker; inside a later version\'s comment it is not', () => {
    // MySQL reads /*!50000 … */ as SQL, so its ? is a parameter; /*!99999 … */ is a comment.
    const prepared = prepareText('SELECT 1 /*!50000 + ? */ /*!99999 + ? */ AS n');
    expect(prepared.markers).toEqual([prepared.text.indexOf('+ ?') + 2]);
    const bound = prepared.bindExpressions([{ kind: 'NumberLiteral', text: '41' }]);
    expect(bound).toMatchObject({ kind: 'Select', items: [{ expr: { kind: 'Binary', right: { kind: 'NumberLiteral', text: '41' } } }] });
    // Bound into the text (LIMIT ?), the value lands in the executed comment too.
    const limited = prepareText('SELECT a FROM t /*!40000 LIMIT ? */');
    expect(limited.markers).toHaveLength(1);
    expect(parseStatement(substitutePlaceholders(limited.text, limited.markers, ['3']))).toMatchObject({ kind: 'Select', limit: { count: 3 } });
  });
});
