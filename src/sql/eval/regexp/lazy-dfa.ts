/**
 * A lazily built DFA for "is there a match?" (REGEXP / RLIKE), the way RE2 answers it: each DFA state is the set
 * of VM instructions the Pike VM would hold, built the first time the search reaches it and cached with its
 * transitions. Typical patterns then cost one table lookup per character instead of one step per live thread.
 *
 * The cache is bounded: past MAX_STATES the states are dropped and rebuilt as needed, so memory stays flat and the
 * worst case is the Pike VM's (code points × instructions), never worse. Patterns with multi-line anchors or word
 * boundaries depend on the characters around each position; they are left to the Pike VM.
 */
import type { Inst } from './program.ts';
import type { StepCounter } from './pike-vm.ts';
import { setMatches } from './syntax.ts';

const MAX_STATES = 2000;

interface DState {
  /** Instructions waiting for a character or the end: sets, dots, `$` assertions; `match` when reached. */
  readonly pcs: Int32Array;
  readonly matched: boolean;
  /** Transitions already computed: ASCII by index, other code points in the map. */
  readonly ascii: (DState | undefined)[];
  readonly other: Map<number, DState>;
  /** Whether a `$` (end of text) thread of this state reaches `match`; computed on demand. */
  atEnd: boolean | undefined;
}

/** Whether the lazy DFA can run `prog` (no assertion that looks at the neighbouring characters). */
export function dfaSupports(prog: readonly Inst[]): boolean {
  return prog.every((i) => i.op !== 'assert' || i.kind === 'bot' || i.kind === 'eot');
}

/** A reusable "does `prog` match anywhere in the text" function. */
export function lazyDfa(prog: readonly Inst[], counter: StepCounter): (text: string) => boolean {
  const cache = new Map<string, DState>();
  const seen = new Int32Array(prog.length).fill(-1);
  let epoch = 0;

  /** Epsilon closure of `seeds` (+ the program start when `start`), at the text start when `atStart`. */
  const closure = (seeds: readonly number[], start: boolean, atStart: boolean, atEnd: boolean): number[] => {
    epoch++;
    const out: number[] = [];
    const stack = start ? [...seeds, 0] : [...seeds];
    while (stack.length > 0) {
      const pc = stack.pop() as number;
      counter.steps++;
      if (seen[pc] === epoch) continue;
      seen[pc] = epoch;
      const inst = prog[pc] as Inst;
      switch (inst.op) {
        case 'jmp':
          stack.push(inst.x);
          break;
        case 'split':
          stack.push(inst.y, inst.x);
          break;
        case 'save':
          stack.push(pc + 1);
          break;
        case 'assert':
          if (inst.kind === 'bot') {
            if (atStart) stack.push(pc + 1);
          } else if (atEnd) stack.push(pc + 1);
          else out.push(pc); // `$`: kept, it may still hold at the end of the text
          break;
        default:
          out.push(pc);
      }
    }
    return out.sort((a, b) => a - b);
  };

  const intern = (pcs: number[]): DState => {
    const key = pcs.join(',');
    let state = cache.get(key);
    if (state !== undefined) return state;
    if (cache.size >= MAX_STATES) cache.clear();
    state = {
      pcs: Int32Array.from(pcs),
      matched: pcs.some((pc) => prog[pc]?.op === 'match'),
      ascii: new Array<DState | undefined>(128),
      other: new Map(),
      atEnd: undefined,
    };
    cache.set(key, state);
    return state;
  };

  const step = (state: DState, cp: number): DState => {
    const seeds: number[] = [];
    for (const pc of state.pcs) {
      const inst = prog[pc] as Inst;
      counter.steps++;
      if (inst.op === 'set' ? setMatches(inst.set, cp) : inst.op === 'dot' && (inst.dotAll || cp !== 0x0a)) seeds.push(pc + 1);
    }
    // Unanchored search: a new attempt starts at every position.
    const next = intern(closure(seeds, true, false, false));
    if (cp < 128) state.ascii[cp] = next;
    else state.other.set(cp, next);
    return next;
  };

  const acceptsAtEnd = (state: DState): boolean => {
    if (state.atEnd === undefined) {
      const ends = [...state.pcs].filter((pc) => prog[pc]?.op === 'assert');
      state.atEnd = ends.length > 0 && closure(ends.map((pc) => pc + 1), false, false, true).some((pc) => prog[pc]?.op === 'match');
    }
    return state.atEnd;
  };

  let first: DState | undefined;
  return (text) => {
    first ??= intern(closure([], true, true, false));
    // The start state may have been dropped with the cache; it is rebuilt from its key when needed.
    let state = cache.get([...first.pcs].join(',')) ?? (first = intern(closure([], true, true, false)));
    if (state.matched) return true;
    for (let i = 0; i < text.length; i++) {
      let cp = text.charCodeAt(i);
      let next: DState | undefined;
      counter.steps++;
      if (cp < 128) next = state.ascii[cp];
      else {
        cp = text.codePointAt(i) as number;
        if (cp > 0xffff) i++;
        next = state.other.get(cp);
      }
      state = next ?? step(state, cp);
      if (state.matched) return true;
    }
    return acceptsAtEnd(state);
  };
}
