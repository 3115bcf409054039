/** Client character sets: decoding with MySQL's 1366 for invalid bytes, encoding with `?` for what a charset lacks. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { charsetFromCollationId, decodeClientText, encodeResultText, invalidUtf8At } from '../../src/server/charsets.ts';

describe('character sets', () => {
  it('the UTF-8 check agrees with a fatal TextDecoder on any bytes', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        let valid = true;
        try {
          strict.decode(bytes);
        } catch {
          valid = false;
        }
        expect(invalidUtf8At(bytes) < 0).toBe(valid);
      }),
      { numRuns: 2000 },
    );
  });

  it('valid UTF-8 decodes as itself; invalid bytes are 1366 naming them, never U+FFFD', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (text) => {
        expect(decodeClientText(Buffer.from(text, 'utf8'), 'utf8mb4')).toBe(text);
      }),
    );
    expect(() => decodeClientText(Buffer.from("SELECT 'caf\xe9'", 'latin1'), 'utf8mb4')).toThrow(
      expect.objectContaining({ errno: 1366, sqlState: 'HY000', message: expect.stringMatching(/^Incorrect string value: '\\xE9' at byte 12 of the statement/) }),
    );
    // utf8mb3 (`utf8`) is read as full UTF-8: a 4-byte character goes through.
    expect(decodeClientText(Buffer.from('😀', 'utf8'), 'utf8')).toBe('😀');
  });

  it("latin1 is MySQL's (Windows-1252): every byte is a character and round-trips; characters it lacks go out as ?", () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const text = decodeClientText(all, 'latin1');
    expect(text.length).toBe(256);
    expect(encodeResultText(text, 'latin1')).toEqual(all);
    expect(decodeClientText(Buffer.from([0x80, 0x81, 0x9f, 0xe9]), 'latin1')).toBe('€\u0081Ÿé');
    expect(encodeResultText('café € 日本', 'latin1')).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x20, 0x3f, 0x3f]));
  });

  it('ascii refuses bytes above 0x7f and sends ? for what it lacks; binary and NULL results are the stored UTF-8', () => {
    expect(() => decodeClientText(Buffer.from([0x61, 0xc3, 0xa9]), 'ascii')).toThrow(expect.objectContaining({ errno: 1366 }));
    expect(encodeResultText('aé', 'ascii').toString('latin1')).toBe('a?');
    expect(encodeResultText('aé', 'binary')).toEqual(Buffer.from('aé', 'utf8'));
    expect(encodeResultText('aé', null)).toEqual(Buffer.from('aé', 'utf8'));
  });

  it('handshake collation ids map to their character sets', () => {
    expect([8, 5, 47, 48, 11, 65, 63, 33, 83, 192, 45, 46, 224, 255, 999].map(charsetFromCollationId)).toEqual([
      'latin1', 'latin1', 'latin1', 'latin1', 'ascii', 'ascii', 'binary', 'utf8', 'utf8', 'utf8', 'utf8mb4', 'utf8mb4', 'utf8mb4', 'utf8mb4', 'utf8mb4',
    ]);
  });
});
