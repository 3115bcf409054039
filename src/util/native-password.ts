import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * mysql_native_password, the only auth plugin mysql2's server handshake offers. The server stores SHA1(SHA1(pw));
 * the client proves knowledge of SHA1(pw) without sending it:
 *   token = SHA1(pw) XOR SHA1(scramble ‖ SHA1(SHA1(pw)))
 * so the server recovers SHA1(pw) = token XOR SHA1(scramble ‖ stored) and checks SHA1 of that against stored.
 * mysql2's own auth_41.js is not importable (package `exports`), hence this copy on node:crypto.
 */

function sha1(...parts: readonly Buffer[]): Buffer {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** MySQL's PASSWORD(): `'*'` + upper-case hex of SHA1(SHA1(plain)); the empty password hashes to `''`. */
export function nativePasswordHash(plain: string): string {
  if (plain === '') return '';
  return `*${sha1(sha1(Buffer.from(plain, 'utf8'))).toString('hex').toUpperCase()}`;
}

/** Decode a stored `'*HEX'` hash (as nativePasswordHash returns) to the 20-byte SHA1(SHA1(pw)); undefined if malformed. */
export function parseNativePasswordHash(stored: string): Buffer | undefined {
  if (!/^\*[0-9A-Fa-f]{40}$/.test(stored)) return undefined;
  return Buffer.from(stored.slice(1), 'hex');
}

/**
 * Check a client's auth token against the stored double SHA1 (20 bytes, or the `'*HEX'` form).
 * An empty stored hash means "no password": only an empty token passes.
 */
export function verifyNativePassword(scramble: Buffer, token: Buffer, storedDoubleSha1: Buffer | string): boolean {
  const stored = typeof storedDoubleSha1 === 'string'
    ? (storedDoubleSha1 === '' ? Buffer.alloc(0) : parseNativePasswordHash(storedDoubleSha1))
    : storedDoubleSha1;
  if (stored === undefined) return false;
  if (stored.length === 0) return token.length === 0;
  if (stored.length !== 20 || token.length !== 20) return false;
  const mask = sha1(scramble, stored);
  const stage1 = Buffer.alloc(20);
  for (let i = 0; i < 20; i++) stage1[i] = token[i]! ^ mask[i]!;
  return timingSafeEqual(sha1(stage1), stored);
}

/** What a client computes from its password (used by tests and by a future `tablevault sql` client door). */
export function nativePasswordToken(scramble: Buffer, plain: string): Buffer {
  if (plain === '') return Buffer.alloc(0);
  const stage1 = sha1(Buffer.from(plain, 'utf8'));
  const mask = sha1(scramble, sha1(stage1));
  const token = Buffer.alloc(20);
  for (let i = 0; i < 20; i++) token[i] = stage1[i]! ^ mask[i]!;
  return token;
}
