/**
 * The lexer singleton, without error handling: `lexTokens` never throws, whatever the text. The parser's entry
 * points use lexer.ts (which turns lexing problems into syntax errors); the redaction of text that does not parse
 * (grammar/secrets.ts, the `near '…'` of syntax errors) needs the tokens anyway, unterminated ones included.
 */
import { Lexer, type IToken } from 'chevrotain';
import { expandExecutableComments } from './executable-comments.ts';
import { allTokens } from './tokens.ts';

/** The one lexer of the process. */
export const rawLexer = new Lexer(allTokens as never, { positionTracking: 'full', ensureOptimizations: true });

/** Tokens of `text` (comments and whitespace dropped; `Unterminated…` tokens kept) and whether lexing failed anywhere. */
export function lexTokens(text: string): { readonly tokens: readonly IToken[]; readonly clean: boolean } {
  // Offsets are those of `text`: executed `/*!…*/` content is lexed as SQL (its secrets are found like any other).
  const result = rawLexer.tokenize(expandExecutableComments(text));
  return { tokens: result.tokens, clean: result.errors.length === 0 };
}
