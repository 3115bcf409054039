import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import net from 'node:net';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { createHash } from 'node:crypto';
import { nativePasswordHash, nativePasswordToken, verifyNativePassword } from '../../src/util/native-password.ts';
import { redactSql } from '../../grammar/index.ts';
import { PacketWriter, ClientGoneError } from '../../src/server/packet-writer.ts';
import { errPayload } from '../../src/server/packets.ts';
import { GlobalVariables, SessionVariables, SYSTEM_VARIABLES } from '../../src/sql/variables/index.ts';
import { showLikeMatcher } from '../../src/sql/eval/like.ts';

describe('mysql_native_password', () => {
  it("matches MySQL's PASSWORD()", () => {
    expect(nativePasswordHash('password')).toBe('*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
    expect(nativePasswordHash('')).toBe('');
  });

  it('accepts the right password and rejects any other (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (raw, pw, other) => {
        const scramble = Buffer.from(raw);
        const stored = nativePasswordHash(pw);
        expect(verifyNativePassword(scramble, nativePasswordToken(scramble, pw), stored)).toBe(true);
        expect(verifyNativePassword(scramble, nativePasswordToken(scramble, other), stored)).toBe(other === pw);
        expect(verifyNativePassword(scramble, Buffer.alloc(0), stored)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('empty stored hash admits only an empty token; a malformed hash admits nobody', () => {
    const scramble = Buffer.alloc(20, 7);
    expect(verifyNativePassword(scramble, Buffer.alloc(0), '')).toBe(true);
    expect(verifyNativePassword(scramble, nativePasswordToken(scramble, 'x'), '')).toBe(false);
    expect(verifyNativePassword(scramble, nativePasswordToken(scramble, 'x'), '*XYZ')).toBe(false);
    const raw = createHash('sha1').update(createHash('sha1').update('x').digest()).digest();
    expect(verifyNativePassword(scramble, nativePasswordToken(scramble, 'x'), raw)).toBe(true);
  });
});

describe('redactSql (what the server logs of a COM_QUERY)', () => {
  it('masks the secrets the parser marks and keeps the rest', () => {
    expect(redactSql(`CREATE REPOSITORY r WITH BROKER ON LOCATION "s3://b/p" PROPERTIES ("aws.s3.access_key" = "AKIA", "aws.s3.secret_key"='s\\'x', "aws.s3.endpoint" = "http://h")`)).toBe(
      `CREATE REPOSITORY r WITH BROKER ON LOCATION "s3://b/p" PROPERTIES ("aws.s3.access_key" = <secret>, "aws.s3.secret_key"=<secret>, "aws.s3.endpoint" = "http://h")`,
    );
    expect(redactSql("CREATE USER 'u'@'%' IDENTIFIED BY 'pw'")).toBe("CREATE USER 'u'@'%' IDENTIFIED BY <secret>");
    expect(redactSql("SET PASSWORD FOR u = PASSWORD('pw')")).toBe('SET PASSWORD FOR u = PASSWORD(<secret>)');
    expect(redactSql("SET PASSWORD = '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19'")).toBe('SET PASSWORD = <secret>');
    // Not a credential: a literal compared with a column that happens to be called password stays.
    expect(redactSql("select 'secret' from t where password = 'x'")).toBe("select 'secret' from t where password = 'x'");
    expect(redactSql('x'.repeat(2000))).toHaveLength(1025);
  });

  it('never leaks a secret property value (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('password', 'aws.s3.secret_key', 'fs.s3a.access.key', 'token', 'AWS.S3.Secret_Key'), fc.stringMatching(/^[A-Za-z0-9/+]{8,30}$/), (key, secret) => {
        expect(redactSql(`BACKUP SNAPSHOT d.s TO r PROPERTIES ("${key}" = "${secret}")`)).not.toContain(secret);
      }),
    );
  });
});

describe('ERR packets', () => {
  it('carry errno and a 5-character SQLSTATE, never _____', () => {
    const p = errPayload(1064, '42000', 'bad');
    expect([p[0], p.readUInt16LE(1), p.toString('latin1', 3, 9), p.toString('utf8', 9)]).toEqual([0xff, 1064, '#42000', 'bad']);
    expect(errPayload(1, '_____', 'x').toString('latin1', 3, 9)).toBe('#HY000');
  });
});

describe('PacketWriter back-pressure', () => {
  it('waits for drain when the peer stops reading, resumes when it reads, fails when it leaves', async () => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    const client = net.connect(port, '127.0.0.1');
    const [socket] = (await once(server, 'connection')) as [net.Socket];
    client.pause();
    const writer = new PacketWriter(socket);
    writer.begin(1);
    const payload = Buffer.alloc(60_000, 1);
    let blocked = false;
    for (let i = 0; i < 2000 && !blocked; i++) {
      writer.packet(payload);
      const flushed = writer.flush().then(() => true);
      const result = await Promise.race([flushed, new Promise<false>((r) => setTimeout(() => r(false), 50))]);
      if (!result) {
        blocked = true;
        client.resume();
        await flushed;
      }
    }
    expect(blocked).toBe(true);
    client.pause();
    let gone: unknown;
    for (let i = 0; i < 2000 && gone === undefined; i++) {
      writer.packet(payload);
      const flushing = writer.flush().catch((e: unknown) => e);
      if (i === 50) client.destroy();
      gone = await Promise.race([flushing, new Promise<undefined>((r) => setTimeout(() => r(undefined), 20))]);
    }
    expect(gone).toBeInstanceOf(ClientGoneError);
    socket.destroy();
    server.close();
  });

  it('splits payloads at 16 MiB with consecutive sequence ids', async () => {
    const chunks: Buffer[] = [];
    const sink = new Writable({ write: (b: Buffer, _encoding, cb) => (chunks.push(b), cb()) });
    const writer0 = sink as unknown as net.Socket;
    const writer = new PacketWriter(writer0);
    writer.begin(255);
    writer.packet(Buffer.alloc(0xffffff + 3, 2));
    writer.packet(Buffer.alloc(0xffffff, 3));
    await writer.flush();
    const all = Buffer.concat(chunks);
    const headers: [number, number][] = [];
    for (let o = 0; o < all.length; ) {
      const len = all.readUIntLE(o, 3);
      headers.push([len, all[o + 3]!]);
      o += 4 + len;
    }
    expect(headers).toEqual([[0xffffff, 255], [3, 0], [0xffffff, 1], [0, 2]]);
  });
});

describe('system variables', () => {
  const fresh = (): { globals: GlobalVariables; session: SessionVariables } => {
    const globals = new GlobalVariables();
    return { globals, session: new SessionVariables(globals) };
  };

  it('reads defaults with their types, case-insensitively', () => {
    const { session } = fresh();
    expect(session.get('AUTOCOMMIT')).toBe(1n);
    expect(session.get('version_comment')).toMatch(/^tablevault \d/);
    expect(session.get('version')).toMatch(/^8\.0\.33-tablevault/);
    expect(session.get('version')).not.toMatch(/^5\.5\.5-/);
    expect(session.getTyped('max_allowed_packet')).toEqual({ value: 33554432n, type: { name: 'BIGINT' } });
    expect(session.getTyped('sql_mode').type.name).toBe('VARCHAR');
    expect(session.get('sql_select_limit')).toBe(18446744073709551615n);
  });

  it('enforces scope and read-only with MySQL errnos and messages', () => {
    const { session } = fresh();
    expect(() => session.get('nope')).toThrow(expect.objectContaining({ errno: 1193, message: "Unknown system variable 'nope'" }));
    expect(() => session.set('version', 'x')).toThrow(expect.objectContaining({ errno: 1238, message: "Variable 'version' is a read only variable" }));
    expect(() => session.set('init_connect', 'x')).toThrow(expect.objectContaining({ errno: 1229, message: "Variable 'init_connect' is a GLOBAL variable and should be set with SET GLOBAL" }));
    expect(() => session.set('last_insert_id', 1, 'GLOBAL')).toThrow(expect.objectContaining({ errno: 1228 }));
    expect(() => session.get('version', 'SESSION')).toThrow(expect.objectContaining({ errno: 1238, message: "Variable 'version' is a GLOBAL variable" }));
    expect(() => session.get('last_insert_id', 'GLOBAL')).toThrow(expect.objectContaining({ errno: 1238, message: "Variable 'last_insert_id' is a SESSION variable" }));
  });

  it('validates values: booleans, integers (clamped), enums, time zones', () => {
    const { session } = fresh();
    session.set('autocommit', 'OFF');
    expect(session.get('autocommit')).toBe(0n);
    session.set('autocommit', true);
    expect(session.get('autocommit')).toBe(1n);
    expect(() => session.set('autocommit', 'maybe')).toThrow(expect.objectContaining({ errno: 1231, sqlState: '42000', message: "Variable 'autocommit' can't be set to the value of 'maybe'" }));
    expect(() => session.set('wait_timeout', 'abc')).toThrow(expect.objectContaining({ errno: 1232 }));
    session.set('auto_increment_increment', 0);
    expect(session.get('auto_increment_increment')).toBe(1n);
    session.set('transaction_isolation', 'read-committed');
    expect(session.get('tx_isolation')).toBe('READ-COMMITTED');
    session.set('tx_isolation', 'SERIALIZABLE');
    expect(session.get('transaction_isolation')).toBe('SERIALIZABLE');
    session.set('time_zone', '+08:00');
    expect(session.get('time_zone')).toBe('+08:00');
    session.set('time_zone', 'Asia/Shanghai');
    expect(() => session.set('time_zone', 'Mars/Base')).toThrow(expect.objectContaining({ errno: 1298 }));
    expect(() => session.set('sql_mode', null)).toThrow(expect.objectContaining({ errno: 1231 }));
  });

  it('SET GLOBAL affects later sessions only; DEFAULT restores; SET NAMES sets three charsets', () => {
    const { globals, session } = fresh();
    session.set('wait_timeout', 100, 'GLOBAL');
    expect(session.get('wait_timeout')).toBe(28800n);
    expect(session.get('wait_timeout', 'GLOBAL')).toBe(100n);
    const later = new SessionVariables(globals);
    expect(later.get('wait_timeout')).toBe(100n);
    later.set('wait_timeout', 5);
    later.set('wait_timeout', { default: true });
    expect(later.get('wait_timeout')).toBe(100n);
    later.setNames('UTF8MB4');
    expect([later.get('character_set_client'), later.get('character_set_results'), later.get('collation_connection')]).toEqual(['utf8mb4', 'utf8mb4', 'utf8mb4_general_ci']);
    expect(() => later.setNames('klingon')).toThrow(expect.objectContaining({ errno: 1115 }));
  });

  it('SHOW VARIABLES LIKE filters case-insensitively and shows booleans as ON/OFF', () => {
    const { session } = fresh();
    expect(session.showRows({ like: 'AUTOCOMMIT' })).toEqual([['autocommit', 'ON']]);
    expect(session.showRows({ like: 'character\\_set\\_c%' }).map((r) => r[0])).toEqual(['character_set_client', 'character_set_connection']);
    expect(session.showRows().length).toBe(SYSTEM_VARIABLES.length);
    expect(session.showRows({}, 'GLOBAL').some(([n]) => n === 'last_insert_id')).toBe(false);
    const names = session.showRows().map((r) => r[0]);
    expect(names).toEqual([...names].sort());
  });

  it('LIKE matches exactly what SQL LIKE would (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-c_%]{0,6}$/), fc.stringMatching(/^[a-c_]{0,6}$/), (pattern, text) => {
        const re = showLikeMatcher(pattern);
        const naive = (p: string, t: string): boolean => {
          if (p === '') return t === '';
          if (p[0] === '%') return naive(p.slice(1), t) || (t !== '' && naive(p, t.slice(1)));
          if (t === '') return false;
          return (p[0] === '_' || p[0] === t[0]) && naive(p.slice(1), t.slice(1));
        };
        expect(re.test(text)).toBe(naive(pattern, text));
      }),
    );
  });
});
