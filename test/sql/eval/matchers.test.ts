/**
 * LIKE and REGEXP matchers: agreement with references on random inputs, and linear work (counted steps, not wall
 * time) on the patterns that made the old RegExp-based matchers take seconds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileExpr } from '../../../src/sql/eval/compile.ts';
import { likeMatcher } from '../../../src/sql/eval/like.ts';
import { EMPTY_SCOPE } from '../../../src/sql/eval/scope.ts';
import { isSqlError } from '../../../src/errors/index.ts';
import { fn, num, str, testContext } from '../helpers.ts';
import { compileRegex, RegexSyntaxError } from '../../../src/sql/eval/regexp/index.ts';

/** Reference LIKE: dynamic programming over code points, O(n·m), no shortcuts. */
function likeReference(pattern: string, text: string, escape: string): boolean {
  const items: ({ kind: 'lit'; c: string } | { kind: 'any' } | { kind: 'star' })[] = [];
  const p = Array.from(pattern);
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === escape && i + 1 < p.length) items.push({ kind: 'lit', c: p[++i] as string });
    else if (c === '%') items.push({ kind: 'star' });
    else if (c === '_') items.push({ kind: 'any' });
    else items.push({ kind: 'lit', c });
  }
  const t = Array.from(text);
  // ok[j] = the first j items match the text read so far.
  let ok = new Array<boolean>(items.length + 1).fill(false);
  ok[0] = true;
  for (let j = 1; j <= items.length; j++) ok[j] = (ok[j - 1] as boolean) && items[j - 1]?.kind === 'star';
  for (const ch of t) {
    const next = new Array<boolean>(items.length + 1).fill(false);
    for (let j = 1; j <= items.length; j++) {
      const item = items[j - 1] as (typeof items)[number];
      if (item.kind === 'star') next[j] = (next[j - 1] as boolean) || (ok[j] as boolean);
      else next[j] = (ok[j - 1] as boolean) && (item.kind === 'any' || item.c === ch);
    }
    ok = next;
  }
  return ok[items.length] as boolean;
}

describe('LIKE matcher', () => {
  const alphabet = fc.constantFrom('a', 'b', 'A', '%', '_', '\\', '!', 'é', '😀', '\n');
  const textChars = fc.constantFrom('a', 'b', 'A', '%', '_', '\\', '!', 'é', '😀', '\n');

  it('agrees with a DP reference on random patterns, escapes and texts (property)', () => {
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 10 }).map((a) => a.join('')),
        fc.array(textChars, { maxLength: 14 }).map((a) => a.join('')),
        fc.constantFrom('\\', '!', 'a'),
        (pattern, text, escape) => {
          expect(likeMatcher(pattern, escape).test(text)).toBe(likeReference(pattern, text, escape));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('patterns longer than one 32-bit word of states (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', '_', '%'), { minLength: 30, maxLength: 80 }).map((a) => a.join('')), fc.array(fc.constantFrom('a', 'b'), { maxLength: 120 }).map((a) => a.join('')), (pattern, text) => {
        expect(likeMatcher(pattern).test(text)).toBe(likeReference(pattern, text, '\\'));
      }),
      { numRuns: 500 },
    );
  });

  it('is case-sensitive; the SHOW form folds case', () => {
    expect(likeMatcher('ab%').test('ABC')).toBe(false);
    expect(likeMatcher('ab%', '\\', true).test('ABC')).toBe(true);
    expect(likeMatcher('a\\%').test('a%')).toBe(true);
    expect(likeMatcher('a\\%').test('ab')).toBe(false);
    expect(likeMatcher('a\\').test('a\\')).toBe(true);
  });

  it('does linear work on the patterns that backtracked: steps grow with the text, not its power', () => {
    for (const pattern of ['%a%a%a%a%a%a%a%b', '%a%a%a%a%a%a%a%a%a%a%a%a%b', `%${'a_'.repeat(40)}%b`]) {
      const m = likeMatcher(pattern);
      const stepsFor = (n: number): number => {
        const before = m.steps;
        expect(m.test('a'.repeat(n))).toBe(false);
        return m.steps - before;
      };
      const words = Math.ceil((Array.from(pattern).filter((c) => c !== '%').length + 1) / 32);
      const small = stepsFor(1000);
      const large = stepsFor(4000);
      expect(small).toBeLessThanOrEqual(1001 * words);
      expect(large).toBeLessThanOrEqual(4001 * words);
      expect(large / small).toBeLessThan(4.5);
    }
  });
});

describe('REGEXP engine', () => {
  // Patterns from a small grammar both engines read the same way (RE2 and JS agree on these constructs).
  const atom: fc.Arbitrary<string> = fc.constantFrom('a', 'b', 'c', '.', '[ab]', '[^a]', '\\d', '\\w', 'x', '1', '[a-c]', '(?:ab)', '\\.');
  const pattern: fc.Arbitrary<string> = fc.letrec<{ re: string; piece: string; seq: string }>((tie) => ({
    piece: fc.oneof(
      { weight: 5, arbitrary: atom },
      // Only non-empty bodies are repeated: on a repeated body that can match empty, JS's empty-iteration check
      // and RE2's leftmost-first threads legitimately differ (`(?:a??)+a` on 'aa': JS [0,2], RE2 [0,1]).
      { weight: 2, arbitrary: fc.tuple(fc.oneof(atom, fc.array(atom, { minLength: 1, maxLength: 3 }).map((a) => `(${a.join('|')})`)), fc.constantFrom('*', '+', '?', '*?', '+?', '??', '{2}', '{1,3}', '{0,2}?')).map(([p, q]) => `(?:${p})${q}`) },
      { weight: 1, arbitrary: tie('re').map((r) => `(${r})`) },
    ),
    seq: fc.array(tie('piece'), { minLength: 1, maxLength: 4 }).map((a) => a.join('')),
    re: fc.oneof({ weight: 3, arbitrary: tie('seq') }, { weight: 1, arbitrary: fc.tuple(tie('seq'), tie('seq')).map(([a, b]) => `${a}|${b}`) }),
  })).re;
  const anchored = fc.tuple(fc.boolean(), pattern, fc.boolean()).map(([s, p, e]) => `${s ? '^' : ''}${p}${e ? '$' : ''}`);
  const text = fc.array(fc.constantFrom('a', 'b', 'c', 'x', '1', '.', ' ', '_'), { maxLength: 16 }).map((a) => a.join(''));

  it('finds the same leftmost-first match as JS RegExp (property)', () => {
    fc.assert(
      fc.property(anchored, text, (p, t) => {
        const re = compileRegex(p);
        const ours = re.exec(t);
        const js = new RegExp(p, 'u').exec(t);
        expect(ours === null).toBe(js === null);
        expect(re.test(t)).toBe(js !== null);
        if (ours !== null && js !== null) expect([ours[0], ours[1]]).toEqual([js.index, js.index + js[0].length]);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps answering right when the lazy DFA outgrows its state cache', () => {
    // '[ab]*a[ab]{12}' needs 2^13 DFA states on random a/b text: the cache is dropped and rebuilt many times.
    const re = compileRegex('[ab]*a[ab]{12}$');
    const js = /[ab]*a[ab]{12}$/u;
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b'), { minLength: 10, maxLength: 400 }).map((a) => a.join('')), (t) => {
        expect(re.test(t)).toBe(js.test(t));
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with JS RegExp on test() and on groups outside repetitions', () => {
    const cases: [string, string][] = [
      ['(a+)(b*)c', 'xaabbc'],
      ['^(\\w+)@(\\w+)\\.com$', 'joe@example.com'],
      ['(a|ab)(c|bcd)(d*)', 'abcd'],
      ['x(?:y|z)+?(w)', 'xyzyw'],
      ['[[:digit:]]+', 'ab12'],
      ['\\bfoo\\b', 'a foo b'],
      ['\\Bfoo', 'afoo'],
      ['(?i)hello', 'HeLLo'],
      ['a.c', 'a\nc'],
      ['(?s)a.c', 'a\nc'],
      ['\\x41\\x{42}', 'AB'],
      ['😀+', 'x😀😀'],
      ['[é-ë]', 'ê'],
      ['\\p{L}+', '12日本語'],
    ];
    for (const [p, t] of cases) {
      const ours = compileRegex(p).exec(t);
      const js = new RegExp(p.replace('(?i)', '').replace('(?s)', '').replace('[[:digit:]]', '[0-9]').replace('\\x{42}', '\\u{42}'), `u${p.includes('(?i)') ? 'i' : ''}${p.includes('(?s)') ? 's' : ''}`).exec(t);
      expect(ours === null, p).toBe(js === null);
      if (ours === null || js === null) continue;
      const groups = js.map((g, i) => (g === undefined ? null : [(ours[2 * i] as number), (ours[2 * i + 1] as number)]));
      expect(groups.map((g) => (g === null ? null : t.slice(g[0], g[1]))), p).toEqual([...js].map((g) => g ?? null));
    }
  });

  it('rejects what RE2 rejects, with its messages', () => {
    const error = (p: string): string => {
      try {
        compileRegex(p);
      } catch (e) {
        if (e instanceof RegexSyntaxError) return e.message;
        throw e;
      }
      return 'accepted';
    };
    expect(error('(a')).toMatch(/missing closing \)/);
    expect(error('a)')).toMatch(/unexpected \)/);
    expect(error('(a)\\1')).toMatch(/invalid escape sequence: \\1/);
    expect(error('(?=a)')).toMatch(/invalid or unsupported Perl syntax/);
    expect(error('a**')).toMatch(/bad repetition operator: \*\*/);
    expect(error('*a')).toMatch(/missing argument to repetition operator/);
    expect(error('a{1001}')).toMatch(/bad repetition operator/);
    expect(error('[z-a]')).toMatch(/invalid character class range/);
    expect(error('[ab')).toMatch(/missing closing \]/);
    expect(error('(((((((((((a{1000}){1000}')).toMatch(/pattern too large|missing closing/);
    expect(error('(a{1000}){1000}')).toMatch(/pattern too large - compile failed/);
    expect(error('('.repeat(1100) + ')'.repeat(1100))).toMatch(/nests too deeply/);
  });

  it('does linear work on patterns that make backtracking engines explode', () => {
    for (const p of ['(a+)+b', '(a|aa)*c', '(a*)*$x', '^(a|a?)+$', '(.*a){12}']) {
      const re = compileRegex(p);
      const stepsFor = (n: number): number => {
        const before = re.steps;
        re.test('a'.repeat(n) + '!');
        return re.steps - before;
      };
      const small = stepsFor(2000);
      const large = stepsFor(8000);
      expect(large / small, p).toBeLessThan(4.5);
    }
  });
});

describe('regexp functions (StarRocks) on the same engine', () => {
  const value = (...args: Parameters<typeof fn>): unknown => compileExpr(fn(...args), { scope: EMPTY_SCOPE, ctx: testContext() }).evaluate([]);

  it('regexp() is the REGEXP operator; regexp_extract() returns a group of the first match, or empty', () => {
    expect(value('regexp', str('abc123'), str('[0-9]+$'))).toBe(true);
    expect(value('regexp', str('a'.repeat(40)), str('(a+)+b'))).toBe(false);
    const extract = (pos: number): unknown => value('regexp_extract', str('AbCdE'), str('([[:lower:]]+)C([[:lower:]]+)'), num(pos));
    expect([extract(0), extract(1), extract(2), extract(3)]).toEqual(['bCd', 'b', 'd', '']);
    expect(value('regexp_extract', str('xyz'), str('(a)'), num(1))).toBe('');
    try {
      value('regexp', str('a'), str('(a)\\1'));
      throw new Error('accepted a backreference');
    } catch (e) {
      expect(isSqlError(e) && e.errno === 1105 && e.message).toBe('Invalid regex expression: (a)\\1. invalid escape sequence: \\1');
    }
  });
});
