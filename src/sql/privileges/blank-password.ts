/**
 * Accounts without a real password may only log in from this machine. "Without a real password" means an empty
 * password or one made only of whitespace (a one-space password is no protection, and a typo in a script produces
 * it easily). Plain-text whitespace-only passwords are refused when they are set; the stored form is a double SHA1,
 * so for accounts set otherwise (an `IDENTIFIED BY PASSWORD '*…'` hash, a data dir from an older release) the hash is
 * compared with the hashes of the short whitespace passwords, which is what such a password is in practice.
 */
import { SqlError } from '../../errors/index.ts';
import { nativePasswordHash } from '../../util/native-password.ts';
import { isLoopbackAddress } from './host-match.ts';

/** Whether a plain-text password gives no protection: empty or only whitespace. */
export function isBlankPassword(plain: string): boolean {
  return plain.trim() === '';
}

let blankHashes: ReadonlySet<string> | undefined;

/** Hashes of every whitespace-only password of up to 8 spaces/tabs, and of runs of one whitespace character up to 32. */
function knownBlankHashes(): ReadonlySet<string> {
  if (blankHashes !== undefined) return blankHashes;
  const hashes = new Set<string>();
  let level = [''];
  for (let length = 1; length <= 8; length++) {
    level = level.flatMap((s) => [`${s} `, `${s}\t`]);
    for (const s of level) hashes.add(nativePasswordHash(s));
  }
  for (const c of [' ', '\t', '\n', '\r', '\u00a0', '\u3000']) for (let n = 1; n <= 32; n++) hashes.add(nativePasswordHash(c.repeat(n)));
  blankHashes = hashes;
  return hashes;
}

/** Whether a stored `'*HEX'` hash (or `''`) is that of an empty or whitespace-only password (see the module note). */
export function isBlankPasswordHash(hash: string): boolean {
  return hash === '' || knownBlankHashes().has(hash.toUpperCase());
}

/** The refusal of a plain-text password that is only whitespace (CREATE / ALTER USER, SET PASSWORD, root at start-up). */
export function blankPasswordError(): SqlError {
  // MySQL's ER_NOT_VALID_PASSWORD.
  return new SqlError(
    1819,
    'HY000',
    "Your password does not satisfy the current policy requirements: a password made only of whitespace is no password. Use a real password, or '' for none (then the account can log in from this machine only)",
  );
}

/**
 * The login rule: a client that is not on this machine may not log in to an account whose password is blank, even
 * with the right (blank) password. Throws SqlError 1045 saying how to set one; returns when the login may proceed.
 */
export function checkBlankPasswordLogin(user: string, clientHost: string, account: { readonly host: string; readonly passwordHash: string }): void {
  if (isLoopbackAddress(clientHost) || !isBlankPasswordHash(account.passwordHash)) return;
  throw new SqlError(
    1045,
    '28000',
    `Access denied for user '${user}'@'${clientHost}': the account '${user}'@'${account.host}' has no password (empty or only whitespace), ` +
      `so it may only log in from this machine (127.0.0.1 or ::1). Log in locally and set one: ALTER USER '${user}'@'${account.host}' IDENTIFIED BY '<new password>'`,
  );
}
