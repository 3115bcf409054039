/**
 * The lexer singleton and `tokenize`, which turns every lexing problem (an unknown character, an unterminated
 * string, quoted identifier or comment) into a 1064 SqlError with its position.
 */
import { tokenMatcher, type IToken } from 'chevrotain';
import type { SqlError } from '../src/errors/sql-error.ts';
import { rawLexer as lexer } from './raw-lexer.ts';
import { syntaxError } from './syntax-error.ts';
import { Unterminated } from './tokens.ts';
import { dropQueryCacheHints } from './select-options.ts';

/** Tokens of `text` (comments and whitespace dropped), or a SqlError. */
export function tokenize(text: string): IToken[] {
  const result = lexer.tokenize(text);
  const lexError = result.errors[0];
  if (lexError !== undefined) throw badCharacter(text, lexError.offset);
  for (const token of result.tokens) {
    if (tokenMatcher(token, Unterminated)) throw unterminated(text, token);
  }
  return dropQueryCacheHints(result.tokens);
}

function badCharacter(text: string, offset: number): SqlError {
  const char = text.slice(offset, offset + 1);
  const code = char.codePointAt(0) ?? 0;
  const shown = code < 32 || code === 127 ? `\\x${code.toString(16).padStart(2, '0')}` : char;
  return syntaxError({ text, offset, endOffset: text.length, expected: [], canEnd: false, detail: `Unexpected character '${shown}'` });
}

function unterminated(text: string, token: IToken): SqlError {
  const what = token.tokenType.LABEL ?? 'token';
  const closer = what.includes('comment') ? "'*/'" : what.includes('identifier') ? "'`'" : `'${token.image[0] ?? "'"}'`;
  return syntaxError({
    text,
    offset: token.startOffset,
    endOffset: text.length,
    expected: [],
    canEnd: false,
    detail: `The ${what.replace('unterminated ', '')} starting here is never closed: add the closing ${closer}`,
  });
}
