/**
 * MySQL's query-cache select options, `SELECT [DISTINCT | ALL] SQL_NO_CACHE | SQL_CACHE …`: MySQL 8.0 removed the
 * query cache and accepts them with no effect; mariadb-dump writes `SELECT /*!40001 SQL_NO_CACHE *\/ * FROM t`. They
 * are dropped from the token stream where MySQL allows them (among the options right after SELECT), so no query rule
 * has to know them; anywhere else `sql_no_cache` stays an ordinary name.
 */
import { tokenMatcher, type IToken } from 'chevrotain';
import { Identifier, kw } from './tokens.ts';

const HINT = /^sql_(?:no_)?cache$/i;

export function dropQueryCacheHints(tokens: IToken[]): IToken[] {
  let afterSelect = false;
  let kept: IToken[] | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as IToken;
    if (afterSelect && token.tokenType === Identifier && HINT.test(token.image)) {
      kept ??= tokens.slice(0, i);
      continue;
    }
    afterSelect = tokenMatcher(token, kw.SELECT) || (afterSelect && (tokenMatcher(token, kw.DISTINCT) || tokenMatcher(token, kw.ALL)));
    kept?.push(token);
  }
  return kept ?? tokens;
}
