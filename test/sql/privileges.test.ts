import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type Session } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { hostMatches, isLoopbackAddress } from '../../src/sql/privileges/host-match.ts';
import { nativePasswordHash } from '../../src/util/native-password.ts';

const REPOSITORY_DENIED =
  'Access denied; you need (at least one of) the REPOSITORY privilege(s) on SYSTEM for this operation. Please ask the admin to grant permission(s). Current role(s): NONE.';

let dir: string;
let engine: Engine;
let root: Session;

async function rowsOf(session: Session, sql: string): Promise<(string | null)[][]> {
  const r = await session.execute(sql);
  if (r.kind !== 'rows') throw new Error(`${sql} returned OK`);
  return r.rows.map((row) => [...row]);
}

/** A library session acting as `user` from 127.0.0.1 (the library door trusts its caller: no password). */
const as = (user: string): Session => engine.session({ user, host: '127.0.0.1' });

async function waitBackup(session: Session, db: string): Promise<string | null | undefined> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [row] = await rowsOf(session, `SHOW BACKUP FROM ${db}`);
    if (row !== undefined && (row[3] === 'FINISHED' || row[3] === 'CANCELLED')) return row[3];
    if (Date.now() > deadline) throw new Error(`backup not done: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-priv-'));
  engine = await Engine.open({ dataDir: path.join(dir, 'data'), backends: 1, logger: createLogger({ level: 'silent' }) });
  root = engine.session();
  await root.execute(`
    CREATE DATABASE d;
    CREATE TABLE d.t1 (id INT, v VARCHAR(10)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1");
    CREATE TABLE d.t2 (id INT, v VARCHAR(10)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1");
    INSERT INTO d.t1 VALUES (1, 'a'), (2, 'b');
    INSERT INTO d.t2 VALUES (3, 'c');
    CREATE VIEW d.v1 AS SELECT id FROM d.t1;
    CREATE REPOSITORY repo WITH BROKER ON LOCATION 'file://${path.join(dir, 'repo')}';
  `);
});

afterAll(async () => {
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('accounts', () => {
  it('stores passwords as MySQL double SHA1, never in clear', async () => {
    await root.execute("CREATE USER 'hashme'@'%' IDENTIFIED BY 'S3cret-pw'");
    const db = new Database(path.join(dir, 'data', 'catalog.sqlite'), { readonly: true });
    try {
      const row = db.prepare("SELECT password_hash FROM users WHERE user = 'hashme'").get() as { password_hash: string };
      expect(row.password_hash).toBe(nativePasswordHash('S3cret-pw'));
      expect(row.password_hash).toMatch(/^\*[0-9A-F]{40}$/);
      // MySQL's PASSWORD('S3cret-pw') test vector shape; and the clear text appears nowhere in the catalog file.
      const all = JSON.stringify(db.prepare('SELECT * FROM users').all());
      expect(all).not.toContain('S3cret-pw');
    } finally {
      db.close();
    }
    expect(fs.readFileSync(path.join(dir, 'data', 'catalog.sqlite')).includes('S3cret-pw')).toBe(false);
  });

  it('CREATE USER twice is 1396, IF NOT EXISTS is quiet; DROP USER unknown is 1396', async () => {
    await root.execute("CREATE USER 'dup' IDENTIFIED BY 'x'");
    await expect(root.execute("CREATE USER 'dup'@'%' IDENTIFIED BY 'y'")).rejects.toMatchObject({
      errno: 1396, message: "Operation CREATE USER failed for 'dup'@'%'",
    });
    await root.execute("CREATE USER IF NOT EXISTS 'dup' IDENTIFIED BY 'y'");
    await root.execute("DROP USER 'dup'");
    await expect(root.execute("DROP USER 'dup'")).rejects.toMatchObject({ errno: 1396, message: "Operation DROP USER failed for 'dup'@'%'" });
    await root.execute("DROP USER IF EXISTS 'dup'");
    await expect(root.execute("DROP USER 'root'")).rejects.toMatchObject({ errno: 1396 });
    await expect(root.execute("ALTER USER 'ghost' IDENTIFIED BY 'x'")).rejects.toMatchObject({ errno: 1396, message: "Operation ALTER USER failed for 'ghost'@'%'" });
  });

  it('SHOW USERS / SHOW ROLES list accounts and built-in roles', async () => {
    const users = (await rowsOf(root, 'SHOW USERS')).map((r) => r[0]);
    expect(users).toContain("'root'@'%'");
    const roles = await rowsOf(root, 'SHOW ROLES');
    expect(roles.map((r) => r[0])).toEqual(expect.arrayContaining(['root', 'db_admin', 'user_admin', 'cluster_admin', 'public']));
    expect(roles.find((r) => r[0] === 'db_admin')?.[1]).toBe('true');
  });

  it('refuses grants on objects that do not exist and unknown privilege names', async () => {
    await root.execute("CREATE USER IF NOT EXISTS 'g' IDENTIFIED BY 'x'");
    await expect(root.execute("GRANT SELECT ON TABLE d.nope TO USER 'g'")).rejects.toMatchObject({ errno: 1146 });
    await expect(root.execute("GRANT CREATE TABLE ON DATABASE nodb TO USER 'g'")).rejects.toMatchObject({ errno: 1049 });
    await expect(root.execute("GRANT REPOSITORY ON TABLE d.t1 TO USER 'g'")).rejects.toMatchObject({ errno: 1064 });
    await expect(root.execute("GRANT SELECT ON TABLE d.t1 TO USER 'nobody'")).rejects.toMatchObject({ errno: 1064 });
    await expect(root.execute("GRANT nosuchrole TO USER 'g'")).rejects.toMatchObject({ errno: 1064 });
  });
});

describe('privilege matrix (a fresh user per row: denied, then allowed after the grant)', () => {
  const cases: readonly {
    readonly sql: string;
    readonly errno: number;
    readonly message: string | RegExp;
    readonly grant: readonly string[];
  }[] = [
    { sql: 'SELECT * FROM d.t1', errno: 1142, message: "SELECT command denied to user {U}@'127.0.0.1' for table 'd.t1'", grant: ['GRANT SELECT ON TABLE d.t1 TO USER {U}'] },
    { sql: 'SELECT * FROM (SELECT id FROM d.t2) x', errno: 1142, message: /SELECT command denied .* for table 'd.t2'/, grant: ['GRANT SELECT ON ALL TABLES IN DATABASE d TO USER {U}'] },
    { sql: 'SELECT * FROM d.v1', errno: 1142, message: /SELECT command denied .* for table 'd.v1'/, grant: ['GRANT SELECT ON VIEW d.v1 TO USER {U}'] },
    { sql: "INSERT INTO d.t2 VALUES (9, 'z')", errno: 1142, message: /^INSERT command denied/, grant: ['GRANT INSERT ON TABLE d.t2 TO USER {U}'] },
    { sql: 'INSERT INTO d.t2 SELECT * FROM d.t1', errno: 1142, message: /^INSERT command denied/, grant: ['GRANT INSERT ON TABLE d.t2 TO USER {U}', 'GRANT SELECT ON TABLE d.t1 TO USER {U}'] },
    { sql: 'DELETE FROM d.t2 WHERE id = 9', errno: 1142, message: /^DELETE command denied .* for table 'd.t2'/, grant: ['GRANT DELETE ON TABLE d.t2 TO USER {U}'] },
    { sql: 'SHOW CREATE TABLE d.t1', errno: 1227, message: /ANY privilege\(s\) on TABLE d\.t1/, grant: ['GRANT EXPORT ON TABLE d.t1 TO USER {U}'] },
    { sql: 'DESC d.t1', errno: 1227, message: /ANY privilege\(s\) on TABLE d\.t1/, grant: ['GRANT ALTER ON TABLE d.t1 TO USER {U}'] },
    { sql: 'CREATE TABLE d.t_{U} (id INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")', errno: 1227, message: /the CREATE TABLE privilege\(s\) on DATABASE d for this operation/, grant: ['GRANT CREATE TABLE ON DATABASE d TO USER {U}'] },
    { sql: 'CREATE VIEW d.v_{U} AS SELECT * FROM d.t1', errno: 1227, message: /CREATE VIEW privilege\(s\) on DATABASE d/, grant: ['GRANT CREATE VIEW ON DATABASE d TO USER {U}', 'GRANT SELECT ON TABLE d.t1 TO USER {U}'] },
    { sql: 'CREATE DATABASE d_{U}', errno: 1227, message: /CREATE DATABASE privilege\(s\) on CATALOG default_catalog/, grant: ['GRANT CREATE DATABASE ON CATALOG default_catalog TO USER {U}'] },
    { sql: 'SHOW BACKENDS', errno: 1227, message: /OPERATE, NODE privilege\(s\) on SYSTEM/, grant: ['GRANT NODE ON SYSTEM TO USER {U}'] },
    { sql: 'SET GLOBAL query_timeout = 300', errno: 1227, message: /OPERATE privilege\(s\) on SYSTEM/, grant: ['GRANT cluster_admin TO USER {U}'] },
    { sql: "CREATE USER 'made_by_{U}' IDENTIFIED BY 'x'", errno: 1227, message: /GRANT privilege\(s\) on SYSTEM/, grant: ['GRANT user_admin TO USER {U}'] },
    { sql: 'SHOW SNAPSHOT ON repo', errno: 1227, message: REPOSITORY_DENIED, grant: ['GRANT REPOSITORY ON SYSTEM TO USER {U}'] },
    { sql: `CREATE REPOSITORY repo_{U} WITH BROKER ON LOCATION 'file://{DIR}/repo_{U}'`, errno: 1227, message: REPOSITORY_DENIED, grant: ['GRANT REPOSITORY ON SYSTEM TO USER {U}'] },
  ];

  let n = 0;
  for (const c of cases) {
    it(c.sql, async () => {
      const user = `m${n++}`;
      await root.execute(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'`);
      const session = as(user);
      const fill = (text: string): string => text.replaceAll('{U}', user).replaceAll('{DIR}', dir);
      const quoted = (text: string): string => text.replaceAll('{U}', `'${user}'`);
      const message = typeof c.message === 'string' ? quoted(c.message) : c.message;
      await expect(session.execute(fill(c.sql))).rejects.toMatchObject({ errno: c.errno, message });
      for (const g of c.grant) await root.execute(quoted(g));
      await session.execute(fill(c.sql));
      // REVOKE takes it away again (roles: REVOKE role).
      for (const g of c.grant) {
        const revoke = /^GRANT (\w+) TO USER \{U\}$/.test(g) ? g.replace(/^GRANT (\w+) TO/, 'REVOKE $1 FROM') : g.replace(/^GRANT/, 'REVOKE').replace(' TO USER', ' FROM USER');
        await root.execute(quoted(revoke));
      }
      if (!/^(CREATE|SET|INSERT INTO d.t2 SELECT)/.test(c.sql)) await expect(session.execute(fill(c.sql).replace(/_m\d+/, '_again'))).rejects.toMatchObject({ errno: c.errno });
      session.close();
    });
  }
});

describe('BACKUP / RESTORE privileges (reference §5.1)', () => {
  it('a non-admin is denied BACKUP, allowed after REPOSITORY + EXPORT, denied again after REVOKE', async () => {
    await root.execute("CREATE USER 'bk'@'%' IDENTIFIED BY 'pw'");
    const bk = as('bk');
    await expect(bk.execute('BACKUP SNAPSHOT d.s1 TO repo')).rejects.toMatchObject({ errno: 1227, sqlState: '42000', message: REPOSITORY_DENIED });
    await root.execute("GRANT REPOSITORY ON SYSTEM TO USER 'bk'@'%'");
    await expect(bk.execute('BACKUP SNAPSHOT d.s1 TO repo')).rejects.toMatchObject({
      errno: 1227, message: expect.stringMatching(/^Access denied; you need \(at least one of\) the EXPORT privilege\(s\) on TABLE d\.t1 for this operation/),
    });
    await root.execute("GRANT EXPORT ON TABLE d.t1 TO USER 'bk'@'%'");
    // ON (t1) is enough now; the whole database still needs t2.
    await expect(bk.execute('BACKUP SNAPSHOT d.s1 TO repo')).rejects.toMatchObject({ message: expect.stringContaining('on TABLE d.t2') });
    await bk.execute('BACKUP SNAPSHOT d.s1 TO repo ON (t1)');
    expect(await waitBackup(bk, 'd')).toBe('FINISHED');
    await root.execute("GRANT SELECT, INSERT, EXPORT ON ALL TABLES IN DATABASE d TO USER 'bk'@'%'");
    await bk.execute('BACKUP SNAPSHOT d.s2 TO repo');
    expect(await waitBackup(bk, 'd')).toBe('FINISHED');
    await root.execute("REVOKE REPOSITORY ON SYSTEM FROM USER 'bk'@'%'");
    await expect(bk.execute('BACKUP SNAPSHOT d.s3 TO repo')).rejects.toMatchObject({ errno: 1227, message: REPOSITORY_DENIED });
    await expect(bk.execute('SHOW BACKUP FROM d')).rejects.toMatchObject({ errno: 1227 });
  });

  it('RESTORE needs REPOSITORY, then CREATE DATABASE (whole db) or CREATE TABLE + INSERT on existing targets', async () => {
    await root.execute("CREATE USER 'rs'@'%' IDENTIFIED BY 'pw'");
    const rs = as('rs');
    const restore = "RESTORE SNAPSHOT d.s1 FROM repo ON (t1) PROPERTIES ('backup_timestamp' = '2024-01-01-00-00-00-000')";
    await expect(rs.execute(restore)).rejects.toMatchObject({ errno: 1227, message: REPOSITORY_DENIED });
    await root.execute("GRANT REPOSITORY ON SYSTEM TO USER 'rs'");
    await expect(rs.execute(restore)).rejects.toMatchObject({ errno: 1227, message: expect.stringContaining('CREATE TABLE privilege(s) on DATABASE d') });
    await root.execute("GRANT CREATE TABLE ON DATABASE d TO USER 'rs'");
    await expect(rs.execute(restore)).rejects.toMatchObject({ errno: 1142, message: "INSERT command denied to user 'rs'@'127.0.0.1' for table 'd.t1'" });
    await root.execute("GRANT INSERT ON TABLE d.t1 TO USER 'rs'");
    // Past the privilege check: whatever RESTORE says now, it is not a denial.
    const outcome = await rs.execute(restore).then(() => undefined, (e: { errno: number }) => e.errno);
    expect([1227, 1142]).not.toContain(outcome);
    const whole = "RESTORE SNAPSHOT d.s1 FROM repo PROPERTIES ('backup_timestamp' = '2024-01-01-00-00-00-000')";
    await expect(rs.execute(whole)).rejects.toMatchObject({ errno: 1227, message: expect.stringContaining('CREATE DATABASE privilege(s) on CATALOG default_catalog') });
  });

  it('db_admin (and root) may do everything', async () => {
    await root.execute("CREATE USER 'dba'@'%' IDENTIFIED BY 'pw'; GRANT db_admin TO USER 'dba'@'%'");
    const dba = as('dba');
    await dba.execute(`
      CREATE DATABASE dba_db;
      CREATE TABLE dba_db.t (id INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1");
      INSERT INTO dba_db.t VALUES (1);
      CREATE USER 'by_dba' IDENTIFIED BY 'x';
      SET GLOBAL query_timeout = 300;
    `);
    await dba.execute('BACKUP SNAPSHOT dba_db.s TO repo');
    expect(await waitBackup(dba, 'dba_db')).toBe('FINISHED');
    expect(await rowsOf(dba, 'SELECT * FROM dba_db.t')).toEqual([['1']]);
    await root.execute("REVOKE db_admin FROM USER 'dba'@'%'");
    await expect(dba.execute('SELECT * FROM dba_db.t')).rejects.toMatchObject({ errno: 1142 });
  });

  it('roles carry privileges to their members, transitively', async () => {
    await root.execute(`
      CREATE ROLE backup_operator;
      GRANT REPOSITORY ON SYSTEM TO ROLE backup_operator;
      GRANT EXPORT ON ALL TABLES IN ALL DATABASES TO ROLE backup_operator;
      CREATE ROLE team; GRANT backup_operator TO ROLE team;
      CREATE USER 'op'@'%' IDENTIFIED BY 'pw'; GRANT team TO USER 'op'@'%';
    `);
    const op = as('op');
    await op.execute('BACKUP SNAPSHOT d.s_role TO repo');
    expect(await waitBackup(op, 'd')).toBe('FINISHED');
    await expect(root.execute('GRANT team TO ROLE backup_operator')).rejects.toMatchObject({ errno: 1064, message: expect.stringContaining('cycle') });
    await root.execute('DROP ROLE team');
    await expect(op.execute('BACKUP SNAPSHOT d.s_role2 TO repo')).rejects.toMatchObject({ errno: 1227 });
  });
});

describe('SHOW GRANTS', () => {
  it('shows StarRocks 3.x columns and statements', async () => {
    await root.execute(`
      CREATE USER 'sg'@'%' IDENTIFIED BY 'pw';
      GRANT REPOSITORY ON SYSTEM TO USER 'sg'@'%';
      GRANT SELECT, INSERT, EXPORT ON ALL TABLES IN DATABASE d TO USER 'sg'@'%';
      GRANT CREATE TABLE ON DATABASE d TO USER 'sg'@'%';
      GRANT CREATE DATABASE ON CATALOG default_catalog TO USER 'sg'@'%';
      GRANT user_admin TO USER 'sg'@'%';
    `);
    const r = await root.execute("SHOW GRANTS FOR 'sg'@'%'");
    expect(r.kind === 'rows' && r.columns).toEqual(['UserIdentity', 'Catalog', 'Grants']);
    expect(await rowsOf(root, "SHOW GRANTS FOR 'sg'@'%'")).toEqual([
      ["'sg'@'%'", null, "GRANT 'user_admin' TO USER 'sg'@'%'"],
      ["'sg'@'%'", null, "GRANT REPOSITORY ON SYSTEM TO USER 'sg'@'%'"],
      ["'sg'@'%'", 'default_catalog', "GRANT SELECT, INSERT, EXPORT ON ALL TABLES IN DATABASE d TO USER 'sg'@'%'"],
      ["'sg'@'%'", 'default_catalog', "GRANT CREATE TABLE ON DATABASE d TO USER 'sg'@'%'"],
      ["'sg'@'%'", 'default_catalog', "GRANT CREATE DATABASE ON CATALOG default_catalog TO USER 'sg'@'%'"],
    ]);
    // A user sees their own grants without GRANT; another user's need it.
    const sg = as('sg');
    expect((await rowsOf(sg, 'SHOW GRANTS')).length).toBe(5);
    await root.execute("CREATE USER 'plain'@'%'");
    const plain = as('plain');
    await expect(plain.execute("SHOW GRANTS FOR 'sg'@'%'")).rejects.toMatchObject({ errno: 1227 });
    expect(await rowsOf(plain, 'SHOW GRANTS')).toEqual([]);
    expect(await rowsOf(root, 'SHOW GRANTS')).toEqual([["'root'@'%'", null, "GRANT 'root' TO USER 'root'@'%'"]]);
  });
});

describe('session rules', () => {
  it('SET PASSWORD for oneself needs nothing; for another user needs GRANT; root only by root', async () => {
    await root.execute("CREATE USER 'sp'@'%' IDENTIFIED BY 'old'; CREATE USER 'ua'@'%'; GRANT user_admin TO USER 'ua'");
    const sp = as('sp');
    await sp.execute("SET PASSWORD = PASSWORD('new')");
    await expect(sp.execute("SET PASSWORD FOR 'ua' = PASSWORD('x')")).rejects.toMatchObject({ errno: 1227 });
    const ua = as('ua');
    await ua.execute("SET PASSWORD FOR 'sp' = PASSWORD('other')");
    await expect(ua.execute("SET PASSWORD FOR 'root' = PASSWORD('x')")).rejects.toMatchObject({ message: expect.stringContaining('except root itself') });
    await expect(ua.execute("GRANT root TO USER 'sp'")).rejects.toMatchObject({ message: expect.stringContaining('except root user') });
  });

  it("KILL of another user's connection needs OPERATE; one's own does not", async () => {
    await root.execute("CREATE USER 'k1'@'%'; CREATE USER 'k2'@'%'");
    const k1 = as('k1');
    const k1b = as('k1');
    const k2 = as('k2');
    await expect(k1.execute(`KILL ${k2.connectionId}`)).rejects.toMatchObject({ errno: 1227, message: expect.stringContaining('OPERATE') });
    await k1.execute(`KILL QUERY ${k1b.connectionId}`);
  });

  it('an unknown library user is denied, not treated as root', async () => {
    await expect(as('nobody').execute('SELECT * FROM d.t1')).rejects.toMatchObject({ errno: 1142 });
    expect(await rowsOf(as('nobody'), 'SELECT 1')).toEqual([['1']]);
  });
});

describe('host patterns', () => {
  const reference = (pattern: string, host: string): boolean => {
    if (pattern.toLowerCase() === 'localhost') return ['127.0.0.1', '::1', 'localhost'].includes(host.toLowerCase());
    const re = pattern.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
    return new RegExp(`^${re}$`, 's').test(host.toLowerCase());
  };
  it('matches like MySQL LIKE-style patterns (property vs a regex model)', () => {
    const chars = fc.constantFrom('1', '2', '.', 'a', 'B', '%', '_', ':');
    fc.assert(fc.property(fc.string({ unit: chars, maxLength: 8 }), fc.string({ unit: fc.constantFrom('1', '2', '.', 'a', 'b', ':'), maxLength: 8 }), (p, h) => {
      expect(hostMatches(p, h)).toBe(reference(p, h));
    }), { numRuns: 2000 });
    expect(hostMatches('192.168.%', '192.168.1.7')).toBe(true);
    expect(hostMatches('192.168.%', '10.0.0.1')).toBe(false);
    expect(hostMatches('localhost', '127.0.0.1')).toBe(true);
  });
  it('knows loopback listen addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '[::1]']) expect(isLoopbackAddress(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.1', '10.0.0.1', 'example.com', '128.0.0.1']) expect(isLoopbackAddress(h)).toBe(false);
  });
  it('picks the most specific matching account', async () => {
    await root.execute(`
      CREATE USER 'multi'@'%' IDENTIFIED BY 'a';
      CREATE USER 'multi'@'127.0.0.1' IDENTIFIED BY 'b';
      GRANT SELECT ON TABLE d.t1 TO USER 'multi'@'127.0.0.1';
    `);
    expect(await rowsOf(as('multi'), 'SELECT COUNT(*) FROM d.t1')).toEqual([['2']]);
    await expect(engine.session({ user: 'multi', host: '10.1.1.1' }).execute('SELECT * FROM d.t1')).rejects.toMatchObject({ errno: 1142 });
  });
});
