/**
 * StarRocks' regexp functions on the linear-time engine (src/sql/eval/regexp): `regexp(str, pattern)` is the REGEXP
 * operator as a function; `regexp_extract(str, pattern, pos)` returns capture group `pos` (0 = the whole match) of
 * the first match, or '' when there is no match or no such group, as StarRocks does.
 */
import { sqlError } from '../../../errors/index.ts';
import { toBigInt } from '../numeric.ts';
import { regexFor, RegexSyntaxError, type CompiledRegex } from '../regexp/index.ts';
import { T } from '../types.ts';
import { arity, strict, text, type FunctionImpl } from './helpers.ts';

/** The compiled pattern, or StarRocks' "Invalid regex expression" (1105) with RE2's reason. */
export function compiledPattern(pattern: string): CompiledRegex {
  const re = regexFor(pattern);
  if (re instanceof RegexSyntaxError) throw sqlError('ER_UNKNOWN_ERROR', `Invalid regex expression: ${pattern}. ${re.message}`);
  return re;
}

export const REGEXP_FUNCTIONS: Readonly<Record<string, FunctionImpl>> = {
  regexp: (args) => (arity('regexp', args, 2), strict(args, T.BOOLEAN, ([s, p]) => compiledPattern(text(p ?? '')).test(text(s ?? '')))),
  regexp_extract: (args) => (
    arity('regexp_extract', args, 3),
    strict(args, T.VARCHAR, ([s, p, pos]) => {
      const subject = text(s ?? '');
      const re = compiledPattern(text(p ?? ''));
      const group = Number(toBigInt(pos ?? 0) ?? 0n);
      if (group < 0 || group > re.groups) return '';
      const m = re.exec(subject);
      if (m === null) return '';
      const [from, to] = [m[2 * group] as number, m[2 * group + 1] as number];
      return from < 0 ? '' : subject.slice(from, to);
    })
  ),
};
