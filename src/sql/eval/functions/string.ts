import { createHash } from 'node:crypto';
import type { ColumnType } from '../../../types/column-type.ts';
import { utf8Length } from '../../../types/coerce.ts';
import type { Value } from '../../../types/value.ts';
import { makeExpr } from '../compiled.ts';
import { T } from '../types.ts';
import { toBigInt } from '../numeric.ts';
import { arity, strict, text, type FunctionImpl } from './helpers.ts';

/** String functions. Positions and lengths count characters (code points), except length() which counts bytes. */

const VARCHAR: ColumnType = T.VARCHAR;

function chars(s: string): string[] {
  return Array.from(s);
}

function int(v: Value): number {
  const n = toBigInt(v);
  return n === null ? 0 : Number(n);
}

/** MySQL SUBSTRING: 1-based; a negative start counts from the end; start 0 gives ''. */
function substr(s: string, pos: number, len?: number): string {
  const cs = chars(s);
  if (pos === 0 || (len !== undefined && len <= 0)) return '';
  const start = pos > 0 ? pos - 1 : cs.length + pos;
  if (start < 0 || start >= cs.length) return '';
  return cs.slice(start, len === undefined ? undefined : start + len).join('');
}

function pad(s: string, len: number, padding: string, left: boolean): string | null {
  if (len < 0) return null;
  const cs = chars(s);
  if (cs.length >= len) return cs.slice(0, len).join('');
  const ps = chars(padding);
  if (ps.length === 0) return null;
  const fill: string[] = [];
  while (fill.length < len - cs.length) fill.push(ps[fill.length % ps.length] as string);
  return left ? fill.join('') + s : s + fill.join('');
}

function trimChars(s: string, left: boolean, right: boolean): string {
  let a = 0;
  let b = s.length;
  if (left) while (a < b && s[a] === ' ') a++;
  if (right) while (b > a && s[b - 1] === ' ') b--;
  return s.slice(a, b);
}

/** 1-based code point position of `needle` in `hay` at or after `from`, 0 when absent. */
function locate(needle: string, hay: string, from = 1): number {
  if (from < 1) return 0;
  const cs = chars(hay);
  const start = cs.slice(0, from - 1).join('').length;
  if (from - 1 > cs.length) return 0;
  const idx = hay.indexOf(needle, start);
  return idx < 0 ? 0 : chars(hay.slice(0, idx)).length + 1;
}

export const STRING_FUNCTIONS: Readonly<Record<string, FunctionImpl>> = {
  concat: (args) => {
    arity('concat', args, 1, Infinity);
    return strict(args, VARCHAR, (vs) => vs.map(text).join(''));
  },
  concat_ws: (args) => {
    arity('concat_ws', args, 2, Infinity);
    const [sep, ...rest] = args.map((a) => a.evaluate);
    return makeExpr(
      (row) => {
        const s = sep?.(row) ?? null;
        if (s === null) return null;
        const parts: string[] = [];
        for (const e of rest) {
          const v = e(row);
          if (v !== null) parts.push(text(v));
        }
        return parts.join(text(s));
      },
      VARCHAR,
      args,
      args[0]?.nullable ?? true,
    );
  },
  length: (args) => (arity('length', args, 1), strict(args, T.INT, ([s]) => utf8Length(text(s ?? '')))),
  octet_length: (args) => (arity('octet_length', args, 1), strict(args, T.INT, ([s]) => utf8Length(text(s ?? '')))),
  char_length: (args) => (arity('char_length', args, 1), strict(args, T.INT, ([s]) => chars(text(s ?? '')).length)),
  character_length: (args) => (arity('character_length', args, 1), strict(args, T.INT, ([s]) => chars(text(s ?? '')).length)),
  upper: (args) => (arity('upper', args, 1), strict(args, VARCHAR, ([s]) => text(s ?? '').toUpperCase())),
  ucase: (args) => (arity('ucase', args, 1), strict(args, VARCHAR, ([s]) => text(s ?? '').toUpperCase())),
  lower: (args) => (arity('lower', args, 1), strict(args, VARCHAR, ([s]) => text(s ?? '').toLowerCase())),
  lcase: (args) => (arity('lcase', args, 1), strict(args, VARCHAR, ([s]) => text(s ?? '').toLowerCase())),
  substr: (args) => (arity('substr', args, 2, 3), strict(args, VARCHAR, ([s, p, l]) => substr(text(s ?? ''), int(p ?? 0), l === undefined ? undefined : int(l)))),
  substring: (args) => (arity('substring', args, 2, 3), strict(args, VARCHAR, ([s, p, l]) => substr(text(s ?? ''), int(p ?? 0), l === undefined ? undefined : int(l)))),
  left: (args) => (arity('left', args, 2), strict(args, VARCHAR, ([s, n]) => chars(text(s ?? '')).slice(0, Math.max(0, int(n ?? 0))).join(''))),
  right: (args) => (
    arity('right', args, 2),
    strict(args, VARCHAR, ([s, n]) => {
      const k = int(n ?? 0);
      return k <= 0 ? '' : chars(text(s ?? '')).slice(-k).join('');
    })
  ),
  trim: (args) => (arity('trim', args, 1), strict(args, VARCHAR, ([s]) => trimChars(text(s ?? ''), true, true))),
  ltrim: (args) => (arity('ltrim', args, 1), strict(args, VARCHAR, ([s]) => trimChars(text(s ?? ''), true, false))),
  rtrim: (args) => (arity('rtrim', args, 1), strict(args, VARCHAR, ([s]) => trimChars(text(s ?? ''), false, true))),
  replace: (args) => (
    arity('replace', args, 3),
    strict(args, VARCHAR, ([s, from, to]) => {
      const f = text(from ?? '');
      return f === '' ? text(s ?? '') : text(s ?? '').split(f).join(text(to ?? ''));
    })
  ),
  lpad: (args) => (arity('lpad', args, 3), strict(args, VARCHAR, ([s, n, p]) => pad(text(s ?? ''), int(n ?? 0), text(p ?? ''), true), true)),
  rpad: (args) => (arity('rpad', args, 3), strict(args, VARCHAR, ([s, n, p]) => pad(text(s ?? ''), int(n ?? 0), text(p ?? ''), false), true)),
  reverse: (args) => (arity('reverse', args, 1), strict(args, VARCHAR, ([s]) => chars(text(s ?? '')).reverse().join(''))),
  instr: (args) => (arity('instr', args, 2), strict(args, T.INT, ([s, sub]) => locate(text(sub ?? ''), text(s ?? '')))),
  locate: (args) => (arity('locate', args, 2, 3), strict(args, T.INT, ([sub, s, from]) => locate(text(sub ?? ''), text(s ?? ''), from === undefined ? 1 : int(from)))),
  split_part: (args) => (
    arity('split_part', args, 3),
    strict(
      args,
      VARCHAR,
      ([s, d, n]) => {
        const k = int(n ?? 0);
        const delim = text(d ?? '');
        if (k === 0 || delim === '') return null;
        const parts = text(s ?? '').split(delim);
        return (k > 0 ? parts[k - 1] : parts[parts.length + k]) ?? null;
      },
      true,
    )
  ),
  repeat: (args) => (arity('repeat', args, 2), strict(args, VARCHAR, ([s, n]) => text(s ?? '').repeat(Math.max(0, Math.min(int(n ?? 0), 1_048_576))))),
  space: (args) => (arity('space', args, 1), strict(args, VARCHAR, ([n]) => ' '.repeat(Math.max(0, Math.min(int(n ?? 0), 1_048_576))))),
  starts_with: (args) => (arity('starts_with', args, 2), strict(args, T.BOOLEAN, ([s, p]) => text(s ?? '').startsWith(text(p ?? '')))),
  ends_with: (args) => (arity('ends_with', args, 2), strict(args, T.BOOLEAN, ([s, p]) => text(s ?? '').endsWith(text(p ?? '')))),
  md5: (args) => (arity('md5', args, 1), strict(args, { name: 'VARCHAR', length: 32 }, ([s]) => createHash('md5').update(text(s ?? ''), 'utf8').digest('hex'))),
  ascii: (args) => (arity('ascii', args, 1), strict(args, T.INT, ([s]) => Buffer.from(text(s ?? ''), 'utf8')[0] ?? 0)),
  hex: (args) => (
    arity('hex', args, 1),
    strict(args, VARCHAR, ([v]) =>
      typeof v === 'string' ? Buffer.from(v, 'utf8').toString('hex').toUpperCase() : (toBigInt(v ?? 0) ?? 0n).toString(16).toUpperCase(),
    )
  ),
};
