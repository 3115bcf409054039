/**
 * quotedEnd (the scanner's jump over a quoted string or name) against a character-by-character reference: `\`
 * escapes the next character except in back-quoted names, a doubled quote stands for itself, an unclosed literal is -1.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quotedEnd } from '../../grammar/scan.ts';

function reference(text: string, i: number, quote: number): number {
  const escapes = quote !== 96;
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (escapes && c === 92) {
      j++;
      continue;
    }
    if (c === quote) {
      if (text.charCodeAt(j + 1) === quote) {
        j++;
        continue;
      }
      return j + 1;
    }
  }
  return -1;
}

describe('quotedEnd', () => {
  it('agrees with a character loop for every quote kind, escapes, doubled quotes and unclosed literals', () => {
    const text = fc.array(fc.constantFrom('a', "'", '"', '`', '\\', ' ', 'é'), { maxLength: 40 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, fc.constantFrom("'", '"', '`'), fc.nat(40), (body, q, at) => {
        const t = `${body.slice(0, at)}${q}${body.slice(at)}`;
        const i = Math.min(at, body.length);
        expect(quotedEnd(t, i, q.charCodeAt(0))).toBe(reference(t, i, q.charCodeAt(0)));
      }),
      { numRuns: 3000 },
    );
  });

  it('finds each of many short strings in a long script (the INSERT … VALUES shape)', () => {
    const script = Array.from({ length: 2000 }, (_, k) => `(${k}, 'name-${k} O''Brien', "x\\"y")`).join(',');
    let i = 0;
    let strings = 0;
    while ((i = script.indexOf("'", i)) >= 0) {
      const end = quotedEnd(script, i, 39);
      expect(end).toBe(reference(script, i, 39));
      i = end;
      strings++;
    }
    expect(strings).toBe(2000);
  });
});
