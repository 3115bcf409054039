/**
 * REGEXP pattern syntax → tree. The dialect is RE2's (what StarRocks' REGEXP, RLIKE and regexp_* functions use):
 * literals, `.`, classes `[…]` with ranges, negation, `\d \w \s` and POSIX `[:alpha:]`, `\p{…}` Unicode
 * properties, anchors `^ $ \A \z \b \B`, groups `( )`, `(?: )`, `(?P<name> )`, `(?<name> )`, flags `(?i)`, `(?s)`,
 * `(?m)` and `(?flags: )`, alternation, and the quantifiers `* + ? {n} {n,} {n,m}` with their lazy forms.
 *
 * Like RE2, and unlike a backtracking engine, there are no backreferences and no lookaround: with them, matching
 * cannot be linear. Such patterns are rejected with RE2's messages, as StarRocks would.
 */

/** A set of code points: sorted inclusive ranges, Unicode property tests, case folding, negation. */
export interface CharSet {
  /** Flat list of inclusive [lo, hi] pairs. */
  readonly ranges: readonly number[];
  /** `\p{…}` properties, each a one-code-point RegExp (constant time per test). */
  readonly properties: readonly RegExp[];
  readonly negated: boolean;
  /** Case-insensitive: a code point also matches through its simple lower/upper case forms. */
  readonly fold: boolean;
}

/** The pattern tree. */
export type RegexNode =
  | { readonly t: 'empty' }
  | { readonly t: 'set'; readonly set: CharSet }
  | { readonly t: 'dot'; readonly dotAll: boolean }
  | { readonly t: 'assert'; readonly kind: AssertKind }
  | { readonly t: 'cat'; readonly items: readonly RegexNode[] }
  | { readonly t: 'alt'; readonly items: readonly RegexNode[] }
  | { readonly t: 'rep'; readonly node: RegexNode; readonly min: number; readonly max: number; readonly greedy: boolean }
  | { readonly t: 'group'; readonly node: RegexNode; readonly index: number };

/** Zero-width assertions: line start/end (`^ $`, with `(?m)` at line breaks), text start/end, word boundaries. */
export type AssertKind = 'bol' | 'eol' | 'bot' | 'eot' | 'word' | 'notword';

/** A parsed pattern. */
export interface ParsedRegex {
  readonly root: RegexNode;
  /** Number of capture groups (group 0, the whole match, not counted). */
  readonly groups: number;
}

/** A pattern the engine cannot accept; `message` is RE2's wording. */
export class RegexSyntaxError extends Error {
  override name = 'RegexSyntaxError';
}

/** RE2's limits: a counted repetition above this is an error, and so is nesting deeper than MAX_NESTING. */
export const MAX_REPEAT = 1000;
const MAX_NESTING = 1000;

interface Flags {
  readonly fold: boolean;
  readonly dotAll: boolean;
  readonly multiLine: boolean;
}

const DIGIT = [0x30, 0x39];
const WORD = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
const SPACE = [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20];
const POSIX: Readonly<Record<string, readonly number[]>> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: DIGIT,
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: WORD,
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};

/** Parse `pattern`; throws RegexSyntaxError. */
export function parseRegex(pattern: string): ParsedRegex {
  return new Parser(pattern).parse();
}

class Parser {
  readonly #cps: number[];
  #pos = 0;
  #groups = 0;
  #depth = 0;

  constructor(pattern: string) {
    this.#cps = Array.from(pattern, (c) => c.codePointAt(0) as number);
  }

  parse(): ParsedRegex {
    const root = this.#alternation({ fold: false, dotAll: false, multiLine: false });
    if (this.#pos < this.#cps.length) throw new RegexSyntaxError('unexpected ): missing (');
    return { root, groups: this.#groups };
  }

  #peek(offset = 0): number | undefined {
    return this.#cps[this.#pos + offset];
  }

  #eat(cp: number): boolean {
    if (this.#cps[this.#pos] !== cp) return false;
    this.#pos++;
    return true;
  }

  #text(from: number, to = this.#pos): string {
    return String.fromCodePoint(...this.#cps.slice(from, to));
  }

  #alternation(flags: Flags): RegexNode {
    if (++this.#depth > MAX_NESTING) throw new RegexSyntaxError('expression nests too deeply');
    const items: RegexNode[] = [];
    // A `(?i)` inside one branch changes the flags for the rest of that branch and the branches after it (RE2).
    let current = flags;
    for (;;) {
      const branch = this.#concat(current);
      items.push(branch.node);
      current = branch.flags;
      if (!this.#eat(0x7c)) break; // |
    }
    this.#depth--;
    return items.length === 1 ? (items[0] as RegexNode) : { t: 'alt', items };
  }

  #concat(start: Flags): { node: RegexNode; flags: Flags } {
    let flags = start;
    const items: RegexNode[] = [];
    for (;;) {
      const c = this.#peek();
      if (c === undefined || c === 0x7c || c === 0x29) break; // end, |, )
      if (c === 0x28 && this.#peek(1) === 0x3f && this.#flagGroupOnly()) {
        flags = this.#setFlags(flags);
        continue;
      }
      const atom = this.#atom(flags);
      items.push(this.#quantified(atom));
    }
    const node: RegexNode = items.length === 0 ? { t: 'empty' } : items.length === 1 ? (items[0] as RegexNode) : { t: 'cat', items };
    return { node, flags };
  }

  /** True when the `(?` at the cursor is a bare flag group `(?ims-ims)` (not `(?flags:…)`). */
  #flagGroupOnly(): boolean {
    let i = this.#pos + 2;
    while (i < this.#cps.length && /[imsU-]/.test(String.fromCodePoint(this.#cps[i] as number))) i++;
    return this.#cps[i] === 0x29 && i > this.#pos + 2;
  }

  /** Read `(?flags)` or the flags of `(?flags:`; the cursor ends after `)` or `:`. */
  #setFlags(flags: Flags): Flags {
    const start = this.#pos;
    this.#pos += 2;
    let negate = false;
    let { fold, dotAll, multiLine } = flags;
    for (;;) {
      const c = this.#peek();
      if (c === undefined) throw new RegexSyntaxError(`missing closing ): ${this.#text(start)}`);
      this.#pos++;
      if (c === 0x29 || c === 0x3a) break; // ) or :
      if (c === 0x2d && !negate) negate = true;
      else if (c === 0x69) fold = !negate;
      else if (c === 0x73) dotAll = !negate;
      else if (c === 0x6d) multiLine = !negate;
      else throw new RegexSyntaxError(`invalid or unsupported Perl syntax: ${this.#text(start)}`);
    }
    return { fold, dotAll, multiLine };
  }

  #quantified(atom: RegexNode): RegexNode {
    let node = atom;
    let quantified = false;
    for (;;) {
      const c = this.#peek();
      let min: number;
      let max: number;
      const start = this.#pos;
      if (c === 0x2a) [min, max] = [0, Infinity];
      else if (c === 0x2b) [min, max] = [1, Infinity];
      else if (c === 0x3f) [min, max] = [0, 1];
      else if (c === 0x7b) {
        const counted = this.#counted();
        if (counted === undefined) return node; // `{` that is not a repetition is a literal (RE2)
        [min, max] = counted;
      } else return node;
      if (c !== 0x7b) this.#pos++;
      if (quantified) throw new RegexSyntaxError(`bad repetition operator: ${this.#text(start - 1, this.#pos)}`);
      const greedy = !this.#eat(0x3f);
      node = { t: 'rep', node, min, max, greedy };
      quantified = true;
    }
  }

  /** `{n}`, `{n,}`, `{n,m}` at the cursor (consumed), or undefined (cursor unchanged). */
  #counted(): [number, number] | undefined {
    const start = this.#pos;
    const rest = this.#text(start, Math.min(this.#cps.length, start + 24));
    const m = /^\{(\d+)(,(\d*))?\}/.exec(rest);
    if (m === null) return undefined;
    this.#pos += m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT) || max < min) {
      throw new RegexSyntaxError(`bad repetition operator: ${m[0]}`);
    }
    return [min, max];
  }

  #atom(flags: Flags): RegexNode {
    const start = this.#pos;
    const c = this.#peek() as number;
    this.#pos++;
    switch (c) {
      case 0x2a: // *
      case 0x2b: // +
      case 0x3f: // ?
        throw new RegexSyntaxError(`missing argument to repetition operator: ${this.#text(start)}`);
      case 0x2e: // .
        return { t: 'dot', dotAll: flags.dotAll };
      case 0x5e: // ^
        return { t: 'assert', kind: flags.multiLine ? 'bol' : 'bot' };
      case 0x24: // $
        return { t: 'assert', kind: flags.multiLine ? 'eol' : 'eot' };
      case 0x5b: // [
        return { t: 'set', set: this.#charClass(flags, start) };
      case 0x5c: // \
        return this.#escape(flags, start);
      case 0x28: // (
        return this.#group(flags, start);
      default:
        return literal(c, flags);
    }
  }

  #group(flags: Flags, start: number): RegexNode {
    let inner = flags;
    let capture = true;
    if (this.#peek() === 0x3f) {
      const next = this.#peek(1);
      if (next === 0x50 && this.#peek(2) === 0x3c) {
        this.#pos += 2; // (?P<name>
        this.#groupName(start);
      } else if (next === 0x3c && this.#peek(2) !== 0x3d && this.#peek(2) !== 0x21) {
        this.#pos += 1; // (?<name>
        this.#groupName(start);
      } else {
        this.#pos--;
        inner = this.#setFlags(flags);
        if (this.#cps[this.#pos - 1] !== 0x3a) throw new RegexSyntaxError(`invalid or unsupported Perl syntax: ${this.#text(start, this.#pos)}`);
        capture = false;
      }
    }
    const index = capture ? ++this.#groups : 0;
    const node = this.#alternation(inner);
    if (!this.#eat(0x29)) throw new RegexSyntaxError(`missing closing ): ${this.#text(start)}`);
    return capture ? { t: 'group', node, index } : node;
  }

  #groupName(start: number): void {
    this.#pos++; // <
    const from = this.#pos;
    while (this.#peek() !== undefined && this.#peek() !== 0x3e) this.#pos++;
    const name = this.#text(from);
    if (!this.#eat(0x3e) || !/^[A-Za-z_]\w*$/.test(name)) throw new RegexSyntaxError(`invalid named capture group: ${this.#text(start, this.#pos)}`);
  }

  #escape(flags: Flags, start: number): RegexNode {
    const c = this.#peek();
    if (c === undefined) throw new RegexSyntaxError('trailing \\');
    switch (c) {
      case 0x62: this.#pos++; return { t: 'assert', kind: 'word' }; // \b
      case 0x42: this.#pos++; return { t: 'assert', kind: 'notword' }; // \B
      case 0x41: this.#pos++; return { t: 'assert', kind: 'bot' }; // \A
      case 0x7a: this.#pos++; return { t: 'assert', kind: 'eot' }; // \z
      default: {
        const set = this.#classEscape(flags, start);
        if (set !== undefined) return { t: 'set', set };
        return literal(this.#charEscape(start), flags);
      }
    }
  }

  /** `\d \D \w \W \s \S \pX \p{X} \PX \P{X}` at the cursor (after `\`), consumed; undefined for other escapes. */
  #classEscape(flags: Flags, start: number): CharSet | undefined {
    const c = this.#peek() as number;
    const named: Readonly<Record<number, readonly number[]>> = { 0x64: DIGIT, 0x77: WORD, 0x73: SPACE, 0x44: DIGIT, 0x57: WORD, 0x53: SPACE };
    const ranges = named[c];
    if (ranges !== undefined) {
      this.#pos++;
      return { ranges, properties: [], negated: c < 0x60, fold: flags.fold };
    }
    if (c === 0x70 || c === 0x50) {
      this.#pos++;
      let name: string;
      if (this.#eat(0x7b)) {
        const from = this.#pos;
        while (this.#peek() !== undefined && this.#peek() !== 0x7d) this.#pos++;
        name = this.#text(from);
        if (!this.#eat(0x7d)) throw new RegexSyntaxError(`invalid character class range: ${this.#text(start)}`);
      } else {
        const one = this.#peek();
        if (one === undefined) throw new RegexSyntaxError(`invalid character class range: ${this.#text(start)}`);
        this.#pos++;
        name = String.fromCodePoint(one);
      }
      let negated = c === 0x50;
      if (name.startsWith('^')) {
        negated = !negated;
        name = name.slice(1);
      }
      let property: RegExp;
      try {
        if (!/^[A-Za-z_]+$/.test(name)) throw new Error(name);
        property = new RegExp(`^\\p{${name === 'Any' ? 'Any' : name}}$`, 'u');
      } catch {
        throw new RegexSyntaxError(`invalid character class range: ${this.#text(start)}`);
      }
      return { ranges: [], properties: [property], negated, fold: flags.fold };
    }
    return undefined;
  }

  /** A single-character escape at the cursor (after `\`), consumed: its code point. */
  #charEscape(start: number): number {
    const c = this.#peek() as number;
    this.#pos++;
    const simple: Readonly<Record<number, number>> = { 0x6e: 0x0a, 0x74: 0x09, 0x72: 0x0d, 0x66: 0x0c, 0x76: 0x0b, 0x61: 0x07 };
    const known = simple[c];
    if (known !== undefined) return known;
    if (c === 0x78) {
      // \xHH or \x{H…}
      const rest = this.#text(this.#pos, Math.min(this.#cps.length, this.#pos + 10));
      const m = /^(?:\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{2}))/.exec(rest);
      const hex = m === null ? undefined : (m[1] ?? m[2]);
      if (m === null || hex === undefined || Number.parseInt(hex, 16) > 0x10ffff) {
        throw new RegexSyntaxError(`invalid escape sequence: ${this.#text(start, this.#pos)}`);
      }
      this.#pos += m[0].length;
      return Number.parseInt(hex, 16);
    }
    // Punctuation may be escaped; letters and digits only as listed above (so \1 is an error, as in RE2).
    if (c < 0x80 && !/[0-9A-Za-z]/.test(String.fromCodePoint(c))) return c;
    throw new RegexSyntaxError(`invalid escape sequence: ${this.#text(start, this.#pos)}`);
  }

  #charClass(flags: Flags, start: number): CharSet {
    const negated = this.#eat(0x5e);
    const ranges: number[] = [];
    const properties: RegExp[] = [];
    // Negated escapes inside a class (`[\D]`) become the complement ranges.
    const addSet = (set: CharSet): void => {
      if (set.properties.length > 0) {
        if (set.negated) properties.push(new RegExp(`^(?!${set.properties[0]?.source.slice(1, -1)}$)[\\s\\S]$`, 'u'));
        else properties.push(...set.properties);
      }
      ranges.push(...(set.negated ? complement(set.ranges) : set.ranges));
    };
    let first = true;
    for (;;) {
      const c = this.#peek();
      if (c === undefined) throw new RegexSyntaxError(`missing closing ]: ${this.#text(start)}`);
      if (c === 0x5d && !first) {
        this.#pos++;
        break;
      }
      first = false;
      if (c === 0x5b && this.#peek(1) === 0x3a) {
        const rest = this.#text(this.#pos, Math.min(this.#cps.length, this.#pos + 12));
        const m = /^\[:(\^?)([a-z]+):\]/.exec(rest);
        if (m !== null) {
          const posix = POSIX[m[2] as string];
          if (posix === undefined) throw new RegexSyntaxError(`invalid character class range: ${m[0]}`);
          this.#pos += m[0].length;
          addSet({ ranges: posix, properties: [], negated: m[1] === '^', fold: false });
          continue;
        }
      }
      let lo: number;
      if (c === 0x5c) {
        const escStart = this.#pos;
        this.#pos++;
        if (this.#peek() === undefined) throw new RegexSyntaxError('trailing \\');
        const set = this.#classEscape(flags, escStart);
        if (set !== undefined) {
          addSet(set);
          continue;
        }
        lo = this.#charEscape(escStart);
      } else {
        lo = c;
        this.#pos++;
      }
      let hi = lo;
      if (this.#peek() === 0x2d && this.#peek(1) !== undefined && this.#peek(1) !== 0x5d) {
        const rangeStart = this.#pos;
        this.#pos++;
        const h = this.#peek() as number;
        if (h === 0x5c) {
          const escStart = this.#pos;
          this.#pos++;
          if (this.#peek() === undefined) throw new RegexSyntaxError('trailing \\');
          hi = this.#charEscape(escStart);
        } else {
          hi = h;
          this.#pos++;
        }
        if (hi < lo) throw new RegexSyntaxError(`invalid character class range: ${this.#text(rangeStart - 1, this.#pos)}`);
      }
      ranges.push(lo, hi);
    }
    return { ranges: normalise(ranges), properties, negated, fold: flags.fold };
  }
}

function literal(cp: number, flags: Flags): RegexNode {
  return { t: 'set', set: { ranges: [cp, cp], properties: [], negated: false, fold: flags.fold } };
}

/** Sort and merge inclusive ranges. */
function normalise(ranges: readonly number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i] as number, ranges[i + 1] as number]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = out.length - 1;
    if (last > 0 && lo <= (out[last] as number) + 1) out[last] = Math.max(out[last] as number, hi);
    else out.push(lo, hi);
  }
  return out;
}

function complement(ranges: readonly number[]): number[] {
  const sorted = normalise(ranges);
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < sorted.length; i += 2) {
    const lo = sorted[i] as number;
    if (lo > next) out.push(next, lo - 1);
    next = (sorted[i + 1] as number) + 1;
  }
  if (next <= 0x10ffff) out.push(next, 0x10ffff);
  return out;
}

/** Whether `cp` is in `set` (before negation and folding). */
function inSet(set: CharSet, cp: number): boolean {
  const r = set.ranges;
  for (let i = 0; i < r.length; i += 2) {
    if (cp < (r[i] as number)) break;
    if (cp <= (r[i + 1] as number)) return true;
  }
  if (set.properties.length > 0) {
    const ch = String.fromCodePoint(cp);
    for (const p of set.properties) if (p.test(ch)) return true;
  }
  return false;
}

const foldCache = new Map<number, readonly number[]>();

/** The simple case variants of a code point (itself first). */
function caseVariants(cp: number): readonly number[] {
  let v = foldCache.get(cp);
  if (v !== undefined) return v;
  const ch = String.fromCodePoint(cp);
  const out = [cp];
  for (const other of [ch.toLowerCase(), ch.toUpperCase()]) {
    const o = other.codePointAt(0) as number;
    if (other.length === String.fromCodePoint(o).length && !out.includes(o)) out.push(o);
  }
  v = out;
  if (foldCache.size > 10_000) foldCache.clear();
  foldCache.set(cp, v);
  return v;
}

/** Whether `cp` matches `set`. */
export function setMatches(set: CharSet, cp: number): boolean {
  let hit = inSet(set, cp);
  if (!hit && set.fold) {
    for (const v of caseVariants(cp)) {
      if (v !== cp && inSet(set, v)) {
        hit = true;
        break;
      }
    }
  }
  return hit !== set.negated;
}
