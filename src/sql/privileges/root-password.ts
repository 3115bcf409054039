/**
 * root's password at start-up: `EngineOptions.rootPassword` or the TABLEVAULT_ROOT_PASSWORD environment variable
 * sets it (hashed; the clear text goes no further than this function), otherwise root keeps what the catalog
 * has — empty on a new data dir, like StarRocks.
 */
import type { Catalog } from '../../catalog/index.ts';
import { updateUserPassword } from '../../catalog/users.ts';
import { nativePasswordHash } from '../../util/native-password.ts';
import type { AccessControl } from './access-control.ts';
import { blankPasswordError, isBlankPassword, isBlankPasswordHash } from './blank-password.ts';

/** The environment variable that sets root's password at start-up. */
export const ROOT_PASSWORD_ENV = 'TABLEVAULT_ROOT_PASSWORD';

/** The password to apply: the explicit option wins; an empty or absent environment variable means "leave it". */
export function startupRootPassword(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (option !== undefined) return option;
  const fromEnv = env[ROOT_PASSWORD_ENV];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

/** Store `'root'@'%'`'s password as MySQL's double SHA1. A whitespace-only password is refused (SqlError 1819). */
export function setRootPassword(catalog: Catalog, access: AccessControl, password: string): void {
  if (password !== '' && isBlankPassword(password)) throw blankPasswordError();
  updateUserPassword(catalog, 'root', '%', nativePasswordHash(password));
  access.invalidate();
}

/** Whether `'root'@'%'` has no real password, empty or whitespace (serve refuses non-loopback addresses then). */
export function rootPasswordIsEmpty(access: AccessControl): boolean {
  return isBlankPasswordHash(access.findAccount('root', '%')?.passwordHash ?? '');
}
