/**
 * The lexer singleton, without error handling: `lexTokens` never throws, whatever the text. The parser's entry
 * points use lexer.ts (which turns lexing problems into syntax errors); the redaction of text that does not parse
 * (grammar/secrets.ts, the `near '…'` of syntax errors) needs the tokens anyway, unterminated ones included.
 */
import type { IToken } from 'chevrotain';
import { Lexer } from './chevrotain.ts';
import { expandExecutableComments } from './executable-comments.ts';
import { allTokens } from './tokens.ts';

/**
 * The one lexer of the process. The token definitions' validations (unreachable patterns, bad anchors, …) cost
 * ~0.2 s at every start and cannot change at run time, so it skips them; {@link validatedLexer} runs them for the
 * grammar tests. `ensureOptimizations` stays: it fails fast if a token pattern would force chevrotain's slow path.
 */
export const rawLexer = new Lexer(allTokens as never, { positionTracking: 'full', ensureOptimizations: true, skipValidations: true });

/** A lexer built with every definition check: throws if the token vocabulary has an error (for tests). */
export function validatedLexer(): InstanceType<typeof Lexer> {
  return new Lexer(allTokens as never, { positionTracking: 'full', ensureOptimizations: true });
}

/** Tokens of `text` (comments and whitespace dropped; `Unterminated…` tokens kept) and whether lexing failed anywhere. */
export function lexTokens(text: string): { readonly tokens: readonly IToken[]; readonly clean: boolean } {
  // Offsets are those of `text`: executed `/*!…*/` content is lexed as SQL (its secrets are found like any other).
  const result = rawLexer.tokenize(expandExecutableComments(text));
  return { tokens: result.tokens, clean: result.errors.length === 0 };
}
