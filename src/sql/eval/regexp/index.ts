/**
 * Linear-time regular expressions for REGEXP / RLIKE (RE2 syntax, leftmost-first semantics). User patterns never
 * reach a backtracking engine: a search costs at most (code points + 1) × program size steps. `test` runs on a lazily
 * built DFA (one table lookup per character once warm), `exec` on the Pike VM (it also reports capture groups).
 */
import { dfaSupports, lazyDfa } from './lazy-dfa.ts';
import { compileProgram, type Inst } from './program.ts';
import { pikeSearch, type Captures, type StepCounter } from './pike-vm.ts';
import { parseRegex, RegexSyntaxError } from './syntax.ts';

export { RegexSyntaxError } from './syntax.ts';
export type { Captures } from './pike-vm.ts';

/** A compiled pattern. */
export interface CompiledRegex {
  /** Number of capture groups. */
  readonly groups: number;
  /** Whether the pattern matches anywhere in `text`. */
  test(text: string): boolean;
  /** The leftmost-first match at or after `from`: capture slots (UTF-16 offsets, -1 = unset), or null. */
  exec(text: string, from?: number): Captures | null;
  /** VM steps taken so far by this pattern (for the linearity tests). */
  readonly steps: number;
}

/** Compile `pattern`; throws RegexSyntaxError with RE2's message. */
export function compileRegex(pattern: string): CompiledRegex {
  const parsed = parseRegex(pattern);
  const prog: readonly Inst[] = compileProgram(parsed.root);
  const counter: StepCounter = { steps: 0 };
  const slots = 2 * (parsed.groups + 1);
  return {
    groups: parsed.groups,
    test: dfaSupports(prog) ? lazyDfa(prog, counter) : (text) => pikeSearch(prog, text, 0, 0, counter) !== null,
    exec: (text, from = 0) => pikeSearch(prog, text, from, slots, counter),
    get steps() {
      return counter.steps;
    },
  };
}

const cache = new Map<string, CompiledRegex | RegexSyntaxError>();
const CACHE_LIMIT = 1000;

/** A cached compiled pattern, or the syntax error that rejected it. */
export function regexFor(pattern: string): CompiledRegex | RegexSyntaxError {
  let hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  try {
    hit = compileRegex(pattern);
  } catch (error) {
    if (!(error instanceof RegexSyntaxError)) throw error;
    hit = error;
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, hit);
  return hit;
}
