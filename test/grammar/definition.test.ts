/**
 * The process-wide lexer and parser skip chevrotain's definition checks to start fast (grammar/lexer.ts,
 * grammar/parser.ts). These tests run the checks, so a grammar change that introduces an ambiguity, left recursion
 * or an unreachable token still fails the suite.
 */
import { describe, expect, it } from 'vitest';
import { parseStatement } from '../../grammar/index.ts';
import { tokenize } from '../../grammar/lexer.ts';
import { validatedLexer } from '../../grammar/raw-lexer.ts';
import { SqlParser } from '../../grammar/parser.ts';
import * as chevrotain from '../../grammar/chevrotain.ts';

describe('grammar definition checks', () => {
  it('the token vocabulary passes every lexer validation', () => {
    const lexer = validatedLexer();
    expect(lexer.lexerDefinitionErrors).toEqual([]);
  });

  it('the grammar passes every parser validation (LL(2), no ambiguity, no left recursion), and parses alike', () => {
    // chevrotain's self-analysis throws "Parser Definition Errors detected" when a validation fails.
    let validated: SqlParser | undefined;
    expect(() => (validated = new SqlParser({ validate: true }))).not.toThrow();
    if (validated === undefined) return;
    // The process parser (no validations, lazy lookahead) accepts and rejects what the validated one does.
    const texts = ['SELECT 1', 'INSERT INTO t VALUES (1, -2.5e3, NULL)', 'SELECT FROM', 'SHOW BACKUP FROM db WHERE', "BACKUP SNAPSHOT d.s TO r ON (t) PROPERTIES ('type' = 'full')"];
    for (const text of texts) {
      let accepted = true;
      try {
        parseStatement(text);
      } catch {
        accepted = false;
      }
      validated.parseStatementTokens(tokenize(text));
      expect(validated.errors.length === 0, text).toBe(accepted);
    }
  });

  it('chevrotain is loaded once, from its bundle, with the version package.json pins', async () => {
    const pinned = (await import('chevrotain')).VERSION;
    expect(chevrotain.CstParser).toBeTypeOf('function');
    // The bundle and the package entry are different module instances: CstParser differs iff the bundle was used.
    expect(chevrotain.CstParser).not.toBe((await import('chevrotain')).CstParser);
    expect(pinned).toBe('11.2.0');
  });
});
