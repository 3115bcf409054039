/**
 * The Pike VM: runs a compiled pattern over a text in one left-to-right pass, keeping at most one thread per
 * instruction (a sparse set), so a search costs at most (code points + 1) × instructions steps — never the
 * exponential blow-up of a backtracking engine. Threads are kept in priority order, which yields the leftmost-first
 * match (Perl and RE2 semantics) and its capture groups.
 */
import { setMatches } from './syntax.ts';
import type { Inst } from './program.ts';

/** Capture slots: [start0, end0, start1, end1, …] as UTF-16 offsets; -1 = group did not take part. */
export type Captures = readonly number[];

/** Work counter, so tests can check that matching is linear without timing it. */
export interface StepCounter {
  steps: number;
}

/** Threads for one text position: a sparse set of program counters, in priority order, each with its captures. */
class ThreadList {
  readonly dense: Int32Array;
  readonly sparse: Int32Array;
  readonly caps: (number[] | null)[];
  size = 0;

  constructor(n: number) {
    this.dense = new Int32Array(n);
    this.sparse = new Int32Array(n);
    this.caps = new Array<number[] | null>(n).fill(null);
  }

  has(pc: number): boolean {
    const i = this.sparse[pc] as number;
    return i < this.size && this.dense[i] === pc;
  }

  add(pc: number, caps: number[] | null): void {
    this.sparse[pc] = this.size;
    this.dense[this.size] = pc;
    this.caps[this.size] = caps;
    this.size++;
  }
}

function isWordChar(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;
}

function codePointAt(text: string, pos: number): number {
  return pos < text.length ? (text.codePointAt(pos) as number) : -1;
}

function codePointBefore(text: string, pos: number): number {
  if (pos <= 0) return -1;
  const low = text.charCodeAt(pos - 1);
  if (low >= 0xdc00 && low <= 0xdfff && pos >= 2) {
    const high = text.charCodeAt(pos - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.codePointAt(pos - 2) as number;
  }
  return low;
}

/**
 * Search `text` from `from` for the leftmost-first match. With `slots` = 0 only tells whether there is a match
 * (returns [] or null); otherwise returns the capture slots of the match, or null.
 */
export function pikeSearch(prog: readonly Inst[], text: string, from: number, slots: number, counter?: StepCounter): Captures | null {
  const n = prog.length;
  let clist = new ThreadList(n);
  let nlist = new ThreadList(n);
  const wantCaps = slots > 0;
  const stackPc: number[] = [];
  const stackCaps: (number[] | null)[] = [];
  let steps = 0;
  let matched: number[] | null = null;
  let found = false;

  /** Follow the epsilon moves from `pc` at `pos`, adding every instruction reached to `list` (DFS = priority). */
  const addThread = (list: ThreadList, startPc: number, pos: number, startCaps: number[] | null): void => {
    stackPc.push(startPc);
    stackCaps.push(startCaps);
    while (stackPc.length > 0) {
      const pc = stackPc.pop() as number;
      const caps = stackCaps.pop() as number[] | null;
      steps++;
      if (list.has(pc)) continue;
      list.add(pc, caps);
      const inst = prog[pc] as Inst;
      switch (inst.op) {
        case 'jmp':
          stackPc.push(inst.x);
          stackCaps.push(caps);
          break;
        case 'split':
          // y pushed first so x is explored (and listed) first: x has priority.
          stackPc.push(inst.y, inst.x);
          stackCaps.push(caps, caps);
          break;
        case 'save': {
          let next = caps;
          if (wantCaps && inst.slot < slots) {
            next = (caps as number[]).slice();
            next[inst.slot] = pos;
          }
          stackPc.push(pc + 1);
          stackCaps.push(next);
          break;
        }
        case 'assert':
          if (assertion(inst.kind, text, pos)) {
            stackPc.push(pc + 1);
            stackCaps.push(caps);
          }
          break;
        default:
          break; // set, dot, match wait for the step
      }
    }
  };

  const empty = wantCaps ? new Array<number>(slots).fill(-1) : null;
  let pos = from;
  for (;;) {
    if (matched === null && !found) addThread(clist, 0, pos, empty);
    if (clist.size === 0) break;
    const cp = codePointAt(text, pos);
    const width = cp > 0xffff ? 2 : 1;
    for (let i = 0; i < clist.size; i++) {
      const pc = clist.dense[i] as number;
      const inst = prog[pc] as Inst;
      steps++;
      if (inst.op === 'match') {
        if (!wantCaps) {
          found = true;
          break;
        }
        matched = clist.caps[i] as number[];
        break; // lower-priority threads are cut: leftmost-first
      }
      if (cp < 0) continue;
      if (inst.op === 'set' ? setMatches(inst.set, cp) : inst.op === 'dot' && (inst.dotAll || cp !== 0x0a)) {
        addThread(nlist, pc + 1, pos + width, clist.caps[i] as number[] | null);
      }
    }
    if (found) break;
    const swap = clist;
    clist = nlist;
    nlist = swap;
    nlist.size = 0;
    if (cp < 0) break;
    pos += width;
  }
  if (counter !== undefined) counter.steps += steps;
  if (!wantCaps) return found ? [] : null;
  return matched;
}

function assertion(kind: string, text: string, pos: number): boolean {
  switch (kind) {
    case 'bot':
      return pos === 0;
    case 'eot':
      return pos === text.length;
    case 'bol':
      return pos === 0 || text.charCodeAt(pos - 1) === 0x0a;
    case 'eol':
      return pos === text.length || text.charCodeAt(pos) === 0x0a;
    default: {
      const before = codePointBefore(text, pos);
      const after = codePointAt(text, pos);
      const boundary = (before >= 0 && isWordChar(before)) !== (after >= 0 && isWordChar(after));
      return kind === 'word' ? boundary : !boundary;
    }
  }
}
