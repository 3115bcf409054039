/**
 * LIKE patterns (`%`, `_`, an escape character) as linear-time matchers. Case-sensitive for the LIKE operator (as
 * StarRocks); SHOW … LIKE matches names case-insensitively, like MySQL.
 *
 * Why not a RegExp: `'%a%a%a%a%b'` compiles to a backtracking RegExp whose running time grows with the length of
 * the text to the power of the number of `%`; one such statement held the event loop for seconds. A LIKE pattern is
 * a sequence of items (a character or `_`), with `%` a self-loop on the state before the next item, so it is an NFA
 * without epsilon moves. It runs as a bit set of states (shift-and): every text character costs one pass over
 * ⌈(items + 1) / 32⌉ words, whatever the pattern, and the text is read once.
 */

/** Something that says whether a whole string matches. */
export interface StringMatcher {
  /** True when `s` matches. */
  test(s: string): boolean;
}

/** A LIKE matcher that counts its work, for the linearity tests. */
export interface CountingMatcher extends StringMatcher {
  /** Word operations done by every `test` so far (one per state word per text character). */
  readonly steps: number;
}

const cache = new Map<string, CountingMatcher>();
const CACHE_LIMIT = 1000;

/** The matcher of a LIKE pattern (`escape` escapes `%`, `_` and itself; at the very end it is a literal). */
export function likeMatcher(pattern: string, escape = '\\', caseInsensitive = false): CountingMatcher {
  const key = `${caseInsensitive ? 'i' : 's'}${escape}\u0000${pattern}`;
  let matcher = cache.get(key);
  if (matcher !== undefined) return matcher;
  matcher = compileLike(caseInsensitive ? pattern.toLowerCase() : pattern, escape, caseInsensitive);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, matcher);
  return matcher;
}

/** SHOW … LIKE 'pattern': `\` escapes, case-insensitive. */
export function showLikeMatcher(pattern: string): StringMatcher {
  return likeMatcher(pattern, '\\', true);
}

/** One pattern position: a code point, or `_` (any one code point). */
type Item = number | 'any';

function parseItems(pattern: string, escape: string): { items: Item[]; loops: Set<number> } {
  const chars = Array.from(pattern);
  const items: Item[] = [];
  // loops has state i when a `%` stands after the i-th item: any number of characters may be consumed there.
  const loops = new Set<number>();
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === escape && i + 1 < chars.length) items.push((chars[++i] as string).codePointAt(0) as number);
    else if (c === '%') loops.add(items.length);
    else if (c === '_') items.push('any');
    else items.push(c.codePointAt(0) as number);
  }
  return { items, loops };
}

function compileLike(pattern: string, escape: string, fold: boolean): CountingMatcher {
  const { items, loops } = parseItems(pattern, escape);
  const prepare = fold ? (s: string): string => s.toLowerCase() : (s: string): string => s;
  const literal = items.every((i) => i !== 'any') ? String.fromCodePoint(...(items as number[])) : undefined;
  const k = items.length;
  // Common shapes whose answer a linear string search gives directly.
  if (literal !== undefined) {
    const shape = (loops.has(0) ? 'L' : '') + (loops.has(k) ? 'R' : '');
    const middle = [...loops].every((l) => l === 0 || l === k);
    if (middle) {
      const counter = { steps: 0 };
      const test = (s: string): boolean => {
        const t = prepare(s);
        counter.steps += t.length + 1;
        switch (shape) {
          case '': return t === literal;
          case 'L': return t.endsWith(literal);
          case 'R': return t.startsWith(literal);
          default: return t.includes(literal);
        }
      };
      return { test, get steps() { return counter.steps; } };
    }
  }
  return items.length < 32 ? shiftAndOneWord(items, loops, prepare) : shiftAnd(items, loops, prepare);
}

/** Code point at `i` of `s` (surrogate pairs combined). */
function codePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const low = s.charCodeAt(i + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return (c - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return c;
}

/** Fewer than 32 items: the state set is one integer, and ASCII masks come from an array. */
function shiftAndOneWord(items: readonly Item[], loops: ReadonlySet<number>, prepare: (s: string) => string): CountingMatcher {
  let loopMask = 0;
  for (const l of loops) loopMask |= 1 << l;
  let anyMask = 0;
  items.forEach((item, j) => {
    if (item === 'any') anyMask |= 1 << (j + 1);
  });
  const ascii = new Int32Array(128).fill(anyMask);
  const other = new Map<number, number>();
  items.forEach((item, j) => {
    if (item === 'any') return;
    if (item < 128) ascii[item] = (ascii[item] as number) | (1 << (j + 1));
    else other.set(item, (other.get(item) ?? anyMask) | (1 << (j + 1)));
  });
  const accept = 1 << items.length;
  let steps = 0;
  const test = (input: string): boolean => {
    const s = prepare(input);
    let state = 1;
    let i = 0;
    for (; i < s.length; i++) {
      let c = s.charCodeAt(i);
      let mask: number;
      if (c < 128) mask = ascii[c] as number;
      else {
        c = codePointAt(s, i);
        if (c > 0xffff) i++;
        mask = other.get(c) ?? anyMask;
      }
      state = ((state << 1) & mask) | (state & loopMask);
      if (state === 0) break;
    }
    steps += i + 1;
    return (state & accept) !== 0;
  };
  return { test, get steps() { return steps; } };
}

/** The general case: states 0..k as a bit set; bit j set = the first j items are matched. */
function shiftAnd(items: readonly Item[], loops: ReadonlySet<number>, prepare: (s: string) => string): CountingMatcher {
  const k = items.length;
  const words = (k >>> 5) + 1;
  const loopMask = new Uint32Array(words);
  for (const l of loops) setBit(loopMask, l);
  // step[c] has bit j+1 set when item j accepts c; `_` items are set in every mask.
  const anyMask = new Uint32Array(words);
  const byChar = new Map<number, Uint32Array>();
  items.forEach((item, j) => {
    if (item === 'any') setBit(anyMask, j + 1);
  });
  items.forEach((item, j) => {
    if (item === 'any') return;
    let mask = byChar.get(item);
    if (mask === undefined) {
      mask = anyMask.slice();
      byChar.set(item, mask);
    }
    setBit(mask, j + 1);
  });
  const acceptWord = k >>> 5;
  const acceptBit = 1 << (k & 31);
  let steps = 0;
  let state = new Uint32Array(words);
  let next = new Uint32Array(words);
  const test = (input: string): boolean => {
    const s = prepare(input);
    state.fill(0);
    state[0] = 1;
    for (let i = 0; i < s.length; i++) {
      const c = codePointAt(s, i);
      if (c > 0xffff) i++;
      const mask = byChar.get(c) ?? anyMask;
      let carry = 0;
      let alive = 0;
      for (let w = 0; w < words; w++) {
        const d = state[w] as number;
        const shifted = ((d << 1) | carry) >>> 0;
        carry = d >>> 31;
        const v = ((shifted & (mask[w] as number)) | (d & (loopMask[w] as number))) >>> 0;
        next[w] = v;
        alive |= v;
      }
      steps += words;
      const swap = state;
      state = next;
      next = swap;
      if (alive === 0) return false;
    }
    return ((state[acceptWord] as number) & acceptBit) !== 0;
  };
  return { test, get steps() { return steps; } };
}

function setBit(words: Uint32Array, bit: number): void {
  words[bit >>> 5] = ((words[bit >>> 5] as number) | (1 << (bit & 31))) >>> 0;
}
