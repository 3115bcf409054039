/**
 * The rule for text that does not parse (see grammar/secrets.ts): every quoted token the lexer finds — string
 * literals, back-quoted names, and anything unterminated — is replaced by `<secret>`. Its own module because the
 * syntax errors (syntax-error.ts, which the parser imports) quote text through it too.
 */
import type { IToken } from 'chevrotain';
import { tokenMatcher } from './chevrotain.ts';
import { SECRET_PLACEHOLDER } from '../src/logging/secrets.ts';
import type { SourceSpan } from './ast.ts';
import { lexTokens } from './raw-lexer.ts';
import { DoubleQuotedString, QuotedIdentifier, SingleQuotedString, Unterminated } from './tokens.ts';

/** `text` with every span replaced by `<secret>` (overlapping or touching spans become one). */
export function replaceSpans(text: string, spans: readonly SourceSpan[]): string {
  if (spans.length === 0) return text;
  const merged: { start: number; end: number }[] = [];
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last !== undefined && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ start: span.start, end: span.end });
  }
  let out = '';
  let at = 0;
  for (const { start, end } of merged) {
    if (end <= start || start >= text.length) continue;
    out += text.slice(at, start) + SECRET_PLACEHOLDER;
    at = Math.min(end, text.length);
  }
  return out + text.slice(at);
}

function isQuoted(token: IToken): boolean {
  return (
    tokenMatcher(token, SingleQuotedString) ||
    tokenMatcher(token, DoubleQuotedString) ||
    tokenMatcher(token, QuotedIdentifier) ||
    tokenMatcher(token, Unterminated)
  );
}

function spanOf(token: IToken): SourceSpan {
  return { start: token.startOffset, end: token.startOffset + token.image.length };
}

/** The unparseable-text rule: every quoted or unterminated token, wherever it is. */
export function quotedSpans(tokens: readonly IToken[]): SourceSpan[] {
  return tokens.filter(isQuoted).map(spanOf);
}

/** The spans the unparseable-text rule masks in `text`. */
export function unparsedSecretSpans(text: string): SourceSpan[] {
  return quotedSpans(lexTokens(text).tokens);
}

/** Text that does not parse, shown safely: every quoted token the lexer finds is masked. */
export function redactUnparsed(text: string): string {
  return replaceSpans(text, unparsedSecretSpans(text));
}

