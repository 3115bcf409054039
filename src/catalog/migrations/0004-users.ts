import type { Migration } from './migration.ts';

/**
 * Accounts and privileges (StarRocks 3.x RBAC, MySQL authentication).
 *
 * - `users`: one row per account `'user'@'host'` (host is a MySQL pattern: `%`, `_`, exact). `password_hash` is
 *   MySQL's PASSWORD() form, `'*'` + 40 upper-case hex of SHA1(SHA1(password)), or `''` for no password: the clear
 *   password is never stored, and the double hash is exactly what mysql_native_password verifies against.
 * - `roles`: built-in (root, db_admin, user_admin, cluster_admin, public) and user-created roles.
 * - `grants`: one row per privilege on one object for one grantee (a user or a role). Objects are kept by name
 *   (MySQL-style, not by id): `object_db` / `object_name` hold `'*'` for "all", `''` where not applicable.
 * - `role_members`: role granted to a user or to another role (role inheritance).
 * Grantees are (type, name, host) with host `''` for roles, so one table serves both kinds.
 */
export const migration0004: Migration = {
  id: 4,
  name: 'users',
  up(db) {
    db.exec(`
      CREATE TABLE users (
        user          TEXT NOT NULL,
        host          TEXT NOT NULL,
        password_hash TEXT NOT NULL DEFAULT '' CHECK (password_hash = '' OR password_hash GLOB '[*][0-9A-F]*'),
        created       INTEGER NOT NULL,
        PRIMARY KEY (user, host)
      );
      CREATE TABLE roles (
        name     TEXT PRIMARY KEY,
        builtin  INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
        created  INTEGER NOT NULL
      );
      CREATE TABLE grants (
        grantee_type      TEXT NOT NULL CHECK (grantee_type IN ('USER', 'ROLE')),
        grantee_name      TEXT NOT NULL,
        grantee_host      TEXT NOT NULL DEFAULT '',
        privilege         TEXT NOT NULL,
        object_type       TEXT NOT NULL CHECK (object_type IN ('SYSTEM', 'CATALOG', 'DATABASE', 'TABLE', 'VIEW')),
        object_db         TEXT NOT NULL DEFAULT '',
        object_name       TEXT NOT NULL DEFAULT '',
        with_grant_option INTEGER NOT NULL DEFAULT 0 CHECK (with_grant_option IN (0, 1)),
        PRIMARY KEY (grantee_type, grantee_name, grantee_host, privilege, object_type, object_db, object_name)
      );
      CREATE TABLE role_members (
        member_type TEXT NOT NULL CHECK (member_type IN ('USER', 'ROLE')),
        member_name TEXT NOT NULL,
        member_host TEXT NOT NULL DEFAULT '',
        role        TEXT NOT NULL REFERENCES roles (name) ON DELETE CASCADE,
        PRIMARY KEY (member_type, member_name, member_host, role)
      );
      INSERT INTO roles (name, builtin, created) VALUES
        ('root', 1, 0), ('db_admin', 1, 0), ('user_admin', 1, 0), ('cluster_admin', 1, 0), ('public', 1, 0);
      INSERT INTO users (user, host, password_hash, created) VALUES ('root', '%', '', 0);
      INSERT INTO role_members (member_type, member_name, member_host, role) VALUES ('USER', 'root', '%', 'root');
    `);
  },
};
