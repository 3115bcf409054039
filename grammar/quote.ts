/**
 * Quoting for SQL text the product writes itself (statements it runs on a user's behalf, SHOW CREATE output): what
 * the lexer reads back as exactly the name or text given, whatever characters it holds.
 */

/** `name` as a back-quoted identifier (a back quote inside is doubled). */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** `'…'` with backslashes and quotes escaped (the lexer's escapes), every other character as it is. */
export function quoteString(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}
