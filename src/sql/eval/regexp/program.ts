/**
 * Pattern tree → instruction list for the Pike VM (Thompson's construction, as in RE2 and Russ Cox's "Regular
 * Expression Matching: the Virtual Machine Approach"). SPLIT lists the preferred branch first, which is what gives
 * leftmost-first (Perl / RE2) match semantics and makes lazy quantifiers lazy.
 */
import { RegexSyntaxError, type AssertKind, type CharSet, type RegexNode } from './syntax.ts';

/** One VM instruction. */
export type Inst =
  | { readonly op: 'set'; readonly set: CharSet }
  | { readonly op: 'dot'; readonly dotAll: boolean }
  | { readonly op: 'split'; readonly x: number; readonly y: number }
  | { readonly op: 'jmp'; readonly x: number }
  | { readonly op: 'save'; readonly slot: number }
  | { readonly op: 'assert'; readonly kind: AssertKind }
  | { readonly op: 'match' };

/**
 * Largest program accepted. Matching costs at most (text length + 1) × program size steps, so this bounds the
 * factor; RE2 rejects oversized programs the same way (its message is kept).
 */
export const MAX_PROGRAM = 5000;

type Mutable = { op: Inst['op']; set?: CharSet; dotAll?: boolean; x?: number; y?: number; slot?: number; kind?: AssertKind };

/** Compile `root` with `groups` capture groups: slots 0/1 are the whole match, 2k/2k+1 group k. */
export function compileProgram(root: RegexNode): Inst[] {
  const prog: Mutable[] = [];
  const emit = (i: Mutable): number => {
    if (prog.length >= MAX_PROGRAM) throw new RegexSyntaxError('pattern too large - compile failed');
    prog.push(i);
    return prog.length - 1;
  };
  const gen = (n: RegexNode): void => {
    switch (n.t) {
      case 'empty':
        return;
      case 'set':
        emit({ op: 'set', set: n.set });
        return;
      case 'dot':
        emit({ op: 'dot', dotAll: n.dotAll });
        return;
      case 'assert':
        emit({ op: 'assert', kind: n.kind });
        return;
      case 'cat':
        for (const item of n.items) gen(item);
        return;
      case 'alt': {
        // split L1, next; L1: a; jmp end; next: split L2, … ; last: z; end:
        const jumps: Mutable[] = [];
        n.items.forEach((item, i) => {
          if (i < n.items.length - 1) {
            const split = prog[emit({ op: 'split' })] as Mutable;
            split.x = prog.length;
            gen(item);
            jumps.push(prog[emit({ op: 'jmp' })] as Mutable);
            split.y = prog.length;
          } else gen(item);
        });
        for (const j of jumps) j.x = prog.length;
        return;
      }
      case 'group':
        emit({ op: 'save', slot: 2 * n.index });
        gen(n.node);
        emit({ op: 'save', slot: 2 * n.index + 1 });
        return;
      case 'rep':
        repeat(n);
        return;
    }
  };
  const star = (node: RegexNode, greedy: boolean): void => {
    // L: split body, end; body: e; jmp L; end:
    const at = emit({ op: 'split' });
    const split = prog[at] as Mutable;
    const body = prog.length;
    gen(node);
    emit({ op: 'jmp', x: at });
    if (greedy) [split.x, split.y] = [body, prog.length];
    else [split.x, split.y] = [prog.length, body];
  };
  const repeat = (n: Extract<RegexNode, { t: 'rep' }>): void => {
    for (let i = 0; i < n.min; i++) {
      if (i === n.min - 1 && n.max === Infinity) {
        // e+ : body; split body, next
        const body = prog.length;
        gen(n.node);
        const split = prog[emit({ op: 'split' })] as Mutable;
        if (n.greedy) [split.x, split.y] = [body, prog.length];
        else [split.x, split.y] = [prog.length, body];
        return;
      }
      gen(n.node);
    }
    if (n.max === Infinity) {
      star(n.node, n.greedy);
      return;
    }
    // e{0,k} as nested optionals (e(e(e)?)?)?: every "stop here" branch jumps past the last copy.
    const skips: { split: Mutable; body: number }[] = [];
    for (let i = n.min; i < n.max; i++) {
      const split = prog[emit({ op: 'split' })] as Mutable;
      skips.push({ split, body: prog.length });
      gen(n.node);
    }
    const end = prog.length;
    for (const { split, body } of skips) {
      if (n.greedy) [split.x, split.y] = [body, end];
      else [split.x, split.y] = [end, body];
    }
  };
  emit({ op: 'save', slot: 0 });
  gen(root);
  emit({ op: 'save', slot: 1 });
  emit({ op: 'match' });
  return prog as Inst[];
}
