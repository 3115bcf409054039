/**
 * MySQL statements that dump tools write and that have no StarRocks counterpart:
 *   ALTER TABLE t {DISABLE | ENABLE} KEYS      (mariadb-dump wraps each table's INSERTs in these)
 * Reached from the ALTER dispatcher (statement.ts) by a gate, ahead of ALTER TABLE's own actions.
 */
import { tokenMatcher } from 'chevrotain';
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';

const { kw } = t;

export interface MysqlCompatRules {
  alterTableKeysBody: Rule;
}

const isWord = (token: { image: string; tokenType: unknown }, word: RegExp): boolean => token.tokenType === t.Identifier && word.test(token.image);

/** True when ALTER is followed by `TABLE name {DISABLE | ENABLE} KEYS` (name possibly `db.name`). */
export function startsAlterTableKeys(la: Dsl['LA']): boolean {
  if (!tokenMatcher(la(1), kw.TABLE)) return false;
  const after = tokenMatcher(la(3), t.Dot) ? 5 : 3;
  return isWord(la(after), /^(?:disable|enable)$/i) && tokenMatcher(la(after + 1), kw.KEYS);
}

export function defineMysqlCompatRules($: Dsl, r: Rules): void {
  r.alterTableKeysBody = $.addRule('alterTableKeysBody', () => {
    $.CONSUME(kw.TABLE);
    $.SUBRULE(r.qualifiedName, { LABEL: 'table' });
    $.CONSUME(t.Identifier, { LABEL: 'action' });
    $.CONSUME(kw.KEYS);
  });
}
