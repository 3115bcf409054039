/**
 * Client character sets: how a connection's bytes become text and text becomes bytes. MySQL decides this per
 * connection with `character_set_client` (statements and parameters the client sends) and `character_set_results`
 * (rows, column names and messages the server sends), both set by the handshake's collation id and by SET NAMES.
 *
 * tablevault stores text as Unicode, so every client charset is a conversion to and from Unicode:
 * - utf8mb4 and utf8mb3 (`utf8`) are both read and written as full UTF-8: a 4-byte character from a utf8mb3 client
 *   goes through instead of being refused (MySQL would refuse it; nobody wants that from a default client);
 * - latin1 is MySQL's latin1, i.e. Windows-1252 with its five undefined bytes mapped to the C1 controls, so every
 *   byte is a character and every character of the table round-trips;
 * - ascii is 7-bit; a byte above 0x7f is invalid;
 * - binary means "no conversion": the bytes are the UTF-8 the store keeps, in both directions.
 * A byte sequence that is not valid in the client's charset is MySQL's error 1366 (Incorrect string value), never a
 * silent U+FFFD. A character the results charset cannot represent is sent as `?`, as MySQL does.
 */
import { SqlError } from '../errors/index.ts';

/** The character sets a connection may use (canonical names, as SHOW VARIABLES shows them). */
export type ClientCharset = 'utf8mb4' | 'utf8mb3' | 'utf8' | 'latin1' | 'ascii' | 'binary';

/** Collation ids (the handshake's and COM_CHANGE_USER's charset byte) → character set. Unknown ids are utf8mb4. */
const COLLATIONS: ReadonlyMap<number, ClientCharset> = new Map<number, ClientCharset>([
  // latin1: swedish_ci, german1_ci, danish_ci, german2_ci, bin, general_ci, general_cs, spanish_ci
  [8, 'latin1'], [5, 'latin1'], [15, 'latin1'], [31, 'latin1'], [47, 'latin1'], [48, 'latin1'], [49, 'latin1'], [94, 'latin1'],
  [11, 'ascii'], [65, 'ascii'],
  [63, 'binary'],
  [33, 'utf8'], [83, 'utf8'],
  [45, 'utf8mb4'], [46, 'utf8mb4'],
]);

function charsetOfId(id: number): ClientCharset {
  const known = COLLATIONS.get(id);
  if (known !== undefined) return known;
  // utf8mb3 unicode/language collations 192–215 (and MariaDB's 576+ utf8mb3_uca1400); the rest of 224–323 and 255 are utf8mb4.
  if (id >= 192 && id <= 215) return 'utf8';
  return 'utf8mb4';
}

/** The character set named by a handshake / COM_CHANGE_USER collation id. */
export function charsetFromCollationId(id: number): ClientCharset {
  return charsetOfId(id);
}

/** The default collation id of a charset, for column definitions of text columns. */
export function collationIdOf(charset: ClientCharset | null): number {
  switch (charset) {
    case 'latin1':
      return 8;
    case 'ascii':
      return 11;
    case 'binary':
      return 63;
    case 'utf8mb4':
      return 45;
    default:
      return 33;
  }
}

/** Read a `character_set_*` variable value; null (character_set_results = NULL) means "no conversion". */
export function charsetFromVariable(value: unknown): ClientCharset | null {
  if (value === null || value === undefined) return null;
  const name = String(value).toLowerCase();
  switch (name) {
    case 'utf8mb4':
    case 'utf8mb3':
    case 'utf8':
    case 'latin1':
    case 'ascii':
    case 'binary':
      return name;
    default:
      return 'utf8mb4';
  }
}

// Windows-1252 bytes 0x80–0x9f; MySQL's latin1 maps the five bytes cp1252 leaves undefined to the C1 controls.
const CP1252_HIGH = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];
const LATIN1_DECODE: readonly string[] = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b >= 0x80 && b < 0xa0 ? (CP1252_HIGH[b - 0x80] as number) : b));
const LATIN1_ENCODE: ReadonlyMap<number, number> = new Map(LATIN1_DECODE.map((c, b) => [c.charCodeAt(0), b]));

/** MySQL's 1366 for bytes that are not text in the client's charset. */
export function incorrectStringValue(bytes: Uint8Array, at: number, charset: ClientCharset, where: string): SqlError {
  // The offending byte and the non-ASCII bytes after it (at most 4), as MySQL shows them.
  let end = at + 1;
  while (end < bytes.length && end < at + 4 && (bytes[end] as number) >= 0x80) end++;
  const shown = Array.from(bytes.subarray(at, end), (b) => `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  return new SqlError(
    1366,
    'HY000',
    `Incorrect string value: '${shown}' at byte ${at + 1} of the ${where}: it is not valid ${charset} (character_set_client); ` +
      'send text in the client character set, or tell the server the one the client really uses (SET NAMES, --default-character-set)',
  );
}

/** Offset of the first byte that does not start a valid UTF-8 sequence, or -1 when all of it is valid UTF-8. */
export function invalidUtf8At(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) (need = 1), (min = 0x80);
    else if (b >= 0xe0 && b <= 0xef) (need = 2), (min = 0x800);
    else if (b >= 0xf0 && b <= 0xf4) (need = 3), (min = 0x10000);
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Client bytes → text in `charset`. `where` names the text for the error ("statement", "parameter 2").
 * Throws 1366 when the bytes are not valid in the charset.
 */
export function decodeClientText(bytes: Uint8Array, charset: ClientCharset, where = 'statement'): string {
  switch (charset) {
    case 'latin1': {
      let out = '';
      // Plain ASCII runs are the common case: decode them in one go.
      let start = 0;
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i] as number;
        if (b < 0x80) continue;
        if (i > start) out += Buffer.from(bytes.buffer, bytes.byteOffset + start, i - start).toString('latin1');
        out += LATIN1_DECODE[b] as string;
        start = i + 1;
      }
      return out + Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.length - start).toString('latin1');
    }
    case 'ascii': {
      const bad = bytes.findIndex((b) => b >= 0x80);
      if (bad >= 0) throw incorrectStringValue(bytes, bad, charset, where);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
    }
    default: {
      const bad = invalidUtf8At(bytes);
      if (bad >= 0) throw incorrectStringValue(bytes, bad, charset, where);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
    }
  }
}

/** Whether `charset` sends text as UTF-8 bytes (no transcoding on the way out). */
export function isUtf8Results(charset: ClientCharset | null): boolean {
  return charset !== 'latin1' && charset !== 'ascii';
}

/** Text → bytes for the client in `charset` (null: no conversion, the stored UTF-8). Unrepresentable characters become `?`. */
export function encodeResultText(text: string, charset: ClientCharset | null): Buffer {
  if (isUtf8Results(charset)) return Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(text.length);
  let o = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) out[o++] = cp;
    else if (charset === 'latin1') out[o++] = LATIN1_ENCODE.get(cp) ?? 0x3f;
    else out[o++] = 0x3f;
  }
  return out.subarray(0, o);
}
