import { randomBytes } from 'node:crypto';

import { BrokerError } from './broker.ts';

/**
 * Key rules shared by every adapter. A key is `/`-separated and relative to the broker root; the checks below keep a
 * key from escaping the root (`..`) on storages with real directories, and keep the three adapters agreeing on what a
 * key is, so the same repository layout works on all of them.
 */

/** Reject keys that are empty, absolute, or contain empty, `.` or `..` segments. */
export function checkKey(key: string): string {
  if (key === '') throw invalidKey(key, 'a key must not be empty');
  if (key.startsWith('/')) throw invalidKey(key, 'keys are relative to the repository location and must not start with "/"');
  if (key.endsWith('/')) throw invalidKey(key, 'a file key must not end with "/"');
  checkSegments(key, key.split('/'));
  return key;
}

/**
 * A list/delete prefix may be empty (everything), may end with `/`, and its last segment may be partial; only the
 * complete segments before the last `/` are checked.
 */
export function checkPrefix(prefix: string): string {
  if (prefix.startsWith('/')) throw invalidKey(prefix, 'prefixes are relative to the repository location and must not start with "/"');
  const cut = prefix.lastIndexOf('/');
  if (cut >= 0) checkSegments(prefix, prefix.slice(0, cut).split('/'));
  if (prefix.includes('\0')) throw invalidKey(prefix, 'a prefix must not contain NUL');
  return prefix;
}

function checkSegments(key: string, segments: readonly string[]): void {
  for (const segment of segments) {
    if (segment === '') throw invalidKey(key, 'a key must not contain empty path segments ("//")');
    if (segment === '.' || segment === '..') throw invalidKey(key, 'a key must not contain "." or ".." segments');
    if (segment.includes('\0')) throw invalidKey(key, 'a key must not contain NUL');
  }
}

function invalidKey(key: string, why: string): BrokerError {
  return new BrokerError('INVALID_ARGUMENT', `Invalid key ${JSON.stringify(key)}: ${why}.`, { key });
}

/** Last segment of a key. */
export function baseName(key: string): string {
  const cut = key.lastIndexOf('/');
  return cut < 0 ? key : key.slice(cut + 1);
}

/** Everything before the last `/` (empty for a top-level key). */
export function dirName(key: string): string {
  const cut = key.lastIndexOf('/');
  return cut < 0 ? '' : key.slice(0, cut);
}

/**
 * Split a prefix into the directory that must be walked and the name prefix to match inside it:
 * `a/b/c` → (`a/b`, `c`); `a/b/` → (`a/b`, ``); `ab` → (``, `ab`).
 */
export function splitPrefix(prefix: string): { readonly dir: string; readonly namePrefix: string } {
  const cut = prefix.lastIndexOf('/');
  return cut < 0 ? { dir: '', namePrefix: prefix } : { dir: prefix.slice(0, cut), namePrefix: prefix.slice(cut + 1) };
}

/** Join a directory key and a name. */
export function joinKey(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/**
 * Order keys the way S3 does (by UTF-8 bytes), so all adapters list in the same order. JavaScript's `<` compares
 * UTF-16 code units, which disagrees with byte order for characters above U+FFFF versus U+E000–U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Sort key for one directory's children when walking a tree: a directory `a` sorts as `a/`, because every key under
 * it starts with `a/` — this makes a depth-first walk emit keys in global byte order (`a-c` before `a/b`).
 */
export function walkOrderName(name: string, isDirectory: boolean): string {
  return isDirectory ? `${name}/` : name;
}

/**
 * Temp names used by adapters without atomic writes (local disk, HDFS). They live beside the destination, so the
 * final rename never crosses a mount, and listings hide them.
 */
export const TEMP_NAME_PREFIX = '.tvtmp-';

/** Whether a directory entry name is one of our in-flight temp files. */
export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_NAME_PREFIX);
}

/** A fresh temp name for a write into the directory of `key`. */
export function tempKeyFor(key: string): string {
  const random = randomBytes(6).toString('hex');
  return joinKey(dirName(key), `${TEMP_NAME_PREFIX}${random}-${baseName(key)}`.slice(0, 240));
}
