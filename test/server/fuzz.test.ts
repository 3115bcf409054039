/**
 * Fuzzing the server over a real Engine with fast-check:
 * - raw protocol after a valid login: random command bytes, bodies, sequence ids, wrong length headers, truncated
 *   and oversized packets, unframed garbage — every complete reply is a well-formed OK / ERR / EOF / result set with
 *   consecutive sequence ids, the server never sends a partial packet, and a fresh connection still answers;
 * - the handshake response itself (garbage, truncated) — the server stays up;
 * - random SQL text (token soups from the grammar's keywords, names, literals, punctuation and random characters)
 *   through mysql2 with multi-statements — every statement succeeds or fails with a real errno and SQLSTATE, never
 *   with an internal error, and never drops the connection (except a KILL of itself).
 * No unhandled rejection or uncaught exception may reach the process.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kw } from '../../grammar/tokens.ts';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { RawClient } from './raw-client.ts';

const logger = createLogger({ level: 'silent' });
let dir: string;
let engine: Engine;
let server: RunningServer;
const processFaults: unknown[] = [];
let shutdownRequests = 0;
const onFault = (error: unknown): void => {
  processFaults.push(error);
};

beforeAll(async () => {
  process.on('unhandledRejection', onFault);
  process.on('uncaughtException', onFault);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-fuzz-'));
  engine = await Engine.open({ dataDir: path.join(dir, 'data'), backends: 1, logger });
  // COM_SHUTDOWN / SHUTDOWN come up in the random commands and SQL: they are accepted (root may), and counted here
  // instead of stopping the server under test (the real stop is tested in protocol-commands.test.ts).
  server = await startServer(engine, { port: 0, logger, onShutdown: () => shutdownRequests++ });
  const root = engine.session();
  await root.execute(`
    CREATE DATABASE d;
    CREATE TABLE d.t (k INT, s VARCHAR(32), x DECIMAL(10,2)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2 PROPERTIES ("replication_num" = "1");
    INSERT INTO d.t VALUES (1, 'a', 1.5), (2, NULL, -2), (3, 'ccc', NULL);
    CREATE REPOSITORY r WITH BROKER ON LOCATION 'file://${path.join(dir, 'repo')}';
  `);
  root.close();
});

afterAll(async () => {
  await server?.close();
  await engine?.close();
  process.off('unhandledRejection', onFault);
  process.off('uncaughtException', onFault);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The server still serves: a brand-new connection answers SELECT 1. */
async function assertAlive(): Promise<void> {
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', connectTimeout: 5000 });
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>({ sql: 'SELECT 1', rowsAsArray: true });
    expect(rows).toEqual([[1]]);
  } finally {
    conn.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reply validation

interface Packet {
  readonly sequenceId: number;
  readonly payload: Buffer;
}

/** Split bytes into packets; throws on a partial packet at the end (the server must never send one). */
function splitPackets(bytes: Buffer): Packet[] {
  const packets: Packet[] = [];
  let o = 0;
  while (o < bytes.length) {
    if (bytes.length - o < 4) throw new Error(`partial packet header at byte ${o} of ${bytes.length}`);
    const length = bytes.readUIntLE(o, 3);
    if (bytes.length - o - 4 < length) throw new Error(`partial packet at byte ${o}: ${length} bytes declared, ${bytes.length - o - 4} sent`);
    packets.push({ sequenceId: bytes[o + 3]!, payload: bytes.subarray(o + 4, o + 4 + length) });
    o += 4 + length;
  }
  return packets;
}

function lengthEncoded(p: Buffer, o: number): { value: number; next: number } {
  const first = p[o];
  if (first === undefined) throw new Error('length-encoded integer past the end');
  if (first < 0xfb) return { value: first, next: o + 1 };
  if (first === 0xfc) return { value: p.readUInt16LE(o + 1), next: o + 3 };
  if (first === 0xfd) return { value: p.readUIntLE(o + 1, 3), next: o + 4 };
  if (first === 0xfe) return { value: Number(p.readBigUInt64LE(o + 1)), next: o + 9 };
  throw new Error(`bad length-encoded integer 0x${first.toString(16)}`);
}

function checkErr(p: Buffer): void {
  if (p.length < 9 || p[3] !== 0x23) throw new Error(`malformed ERR ${p.toString('hex')}`);
  const errno = p.readUInt16LE(1);
  const state = p.toString('latin1', 4, 9);
  if (errno === 0 || !/^[0-9A-Z]{5}$/.test(state)) throw new Error(`ERR with errno ${errno}, state '${state}'`);
  const message = p.toString('utf8', 9);
  if (message.length === 0) throw new Error(`ERR ${errno} without a message`);
  if (errno === 1105 && message.startsWith('Internal error')) throw new Error(`internal error reply: ${message}`);
}

/** SERVER_MORE_RESULTS_EXISTS: another result of the same multi-statement command follows. */
const MORE_RESULTS = 0x0008;

/** Check an OK packet; returns its status flags. */
function checkOk(p: Buffer): number {
  let o = lengthEncoded(p, 1).next;
  o = lengthEncoded(p, o).next;
  if (p.length < o + 4) throw new Error(`short OK ${p.toString('hex')}`);
  return p.readUInt16LE(o);
}

const isEof = (p: Buffer): boolean => p[0] === 0xfe && p.length < 9;
const eofStatus = (p: Buffer): number => (p.length >= 5 ? p.readUInt16LE(3) : 0);

/** Commands whose replies have shapes of their own (the rest answer OK / ERR / EOF or text result sets). */
const COM_FIELD_LIST = 0x04;
const COM_STMT_PREPARE = 0x16;
const COM_STMT_EXECUTE = 0x17;
const COM_STMT_FETCH = 0x1c;

const isColumnDefinition = (p: Buffer): boolean => p.toString('latin1', 0, 4) === '\x03def';

/**
 * Parse the reply that starts at `packets[start]`: it starts at sequence id 1 and numbers on by one; it is an OK /
 * ERR / EOF packet, a COM_STATISTICS line, or result sets (count, definitions, EOF, rows, EOF or ERR), several when a
 * multi-statement command says more results follow; COM_FIELD_LIST answers column definitions then EOF,
 * COM_STMT_PREPARE a prepare-OK then parameter and column definitions, COM_STMT_EXECUTE / FETCH binary rows.
 * `command` is the command byte when known; without it the shape is told from the packets. Returns the index after
 * the reply, or undefined when the packets end before it does. Throws on anything malformed.
 */
function parseReply(packets: readonly Packet[], start: number, command?: number): number | undefined {
  let i = start;
  const next = (): Buffer | undefined => {
    const p = packets[i];
    if (p === undefined) return undefined;
    const expected = (i - start + 1) & 0xff;
    if (p.sequenceId !== expected) throw new Error(`reply packet ${i - start} has sequence id ${p.sequenceId}, expected ${expected}`);
    i++;
    return p.payload;
  };
  const peek = (): Buffer | undefined => packets[i]?.payload;
  const first = peek();
  if (first === undefined) return undefined;
  // Shapes told apart without the command: a column definition first is a field list; a 12-byte OK followed by a
  // column definition is a prepare-OK (a plain OK is never followed by one).
  const fieldList = command === COM_FIELD_LIST || (command === undefined && isColumnDefinition(first));
  const second = packets[i + 1]?.payload;
  const prepared =
    command === COM_STMT_PREPARE ||
    (command === undefined && first[0] === 0x00 && first.length === 12 && second !== undefined && isColumnDefinition(second));
  if (fieldList && first[0] !== 0xff) return parseDefinitions(next) === undefined ? undefined : i;
  if (prepared && first[0] === 0x00) {
    const ok = next() as Buffer;
    if (ok.length !== 12 || ok[9] !== 0) throw new Error(`malformed prepare OK ${ok.toString('hex')}`);
    for (const count of [ok.readUInt16LE(7), ok.readUInt16LE(5)]) {
      if (count > 0 && parseDefinitions(next, count) === undefined) return undefined;
    }
    return i;
  }
  const binary = command === COM_STMT_EXECUTE || command === COM_STMT_FETCH;
  if (command === COM_STMT_FETCH && first[0] === 0x00) return parseRows(next, 0, true) === undefined ? undefined : i;
  // A multi-statement command answers with one result per statement, numbered on: every result but the last says
  // SERVER_MORE_RESULTS_EXISTS in its OK or closing EOF; an ERR ends the command.
  for (;;) {
    const more = parseResult(next, binary);
    if (more === undefined) return undefined;
    if (!more) return i;
  }
}

/** Column definitions up to their EOF (`count` of them when given); the EOF, or undefined when the packets end first. */
function parseDefinitions(next: () => Buffer | undefined, count?: number): Buffer | undefined {
  for (let c = 0; count === undefined || c < count; c++) {
    const def = next();
    if (def === undefined) return undefined;
    if (count === undefined && isEof(def)) return def;
    if (!isColumnDefinition(def)) throw new Error(`bad column definition ${def.toString('hex')}`);
  }
  const eof = next();
  if (eof === undefined) return undefined;
  if (!isEof(eof)) throw new Error('column definitions not followed by EOF');
  return eof;
}

/** SERVER_STATUS_CURSOR_EXISTS: an EXECUTE that opened a cursor sends the columns only; COM_STMT_FETCH reads rows. */
const CURSOR_EXISTS = 0x0040;

/**
 * Rows up to the EOF or ERR that ends them: text rows must hold exactly `columns` values; binary rows (0x00, NULL
 * bitmap, values) are checked for their header only. Returns whether more results follow, or undefined.
 */
function parseRows(next: () => Buffer | undefined, columns: number, binary: boolean): boolean | undefined {
  for (;;) {
    const row = next();
    if (row === undefined) return undefined;
    if (isEof(row)) return (eofStatus(row) & MORE_RESULTS) !== 0;
    if (row[0] === 0xff) {
      checkErr(row);
      return false;
    }
    if (binary) {
      if (row[0] !== 0x00) throw new Error(`binary row without its 0x00 header ${row.toString('hex').slice(0, 40)}`);
      continue;
    }
    let o = 0;
    for (let c = 0; c < columns; c++) {
      if (row[o] === 0xfb) o++;
      else {
        const { value, next: at } = lengthEncoded(row, o);
        o = at + value;
      }
    }
    if (o !== row.length) throw new Error(`row of ${row.length} bytes does not hold ${columns} values`);
  }
}

/** Parse one result of a reply; returns whether another result follows, or undefined when the packets end first. */
function parseResult(next: () => Buffer | undefined, binary: boolean): boolean | undefined {
  const first = next();
  if (first === undefined) return undefined;
  if (first[0] === 0x00) return (checkOk(first) & MORE_RESULTS) !== 0;
  if (first[0] === 0xff) {
    checkErr(first);
    return false;
  }
  if (isEof(first) || first.toString('latin1').startsWith('Uptime: ')) return false;
  const { value: columns, next: end } = lengthEncoded(first, 0);
  if (end !== first.length || columns === 0) throw new Error(`unknown reply ${first.toString('hex').slice(0, 80)}`);
  const eof = parseDefinitions(next, columns);
  if (eof === undefined) return undefined;
  if ((eofStatus(eof) & CURSOR_EXISTS) !== 0) return false;
  return parseRows(next, columns, binary);
}

/** Check every reply in `packets`; the last one may be cut short (the connection closed under it). Returns the count. */
function checkReplies(packets: readonly Packet[]): number {
  let i = 0;
  let replies = 0;
  while (i < packets.length) {
    const end = parseReply(packets, i);
    replies++;
    if (end === undefined) break;
    i = end;
  }
  return replies;
}

/** Read exactly one complete reply from a RawClient; `command` is the command byte it answers, when known. */
async function readReply(client: RawClient, command?: number): Promise<Packet[]> {
  const packets: Packet[] = [];
  for (;;) {
    packets.push(await client.read());
    if (parseReply(packets, 0, command) !== undefined) return packets;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Raw protocol fuzz

const COMMANDS = [0x01, 0x02, 0x03, 0x04, 0x05, 0x08, 0x09, 0x0a, 0x0c, 0x0e, 0x11, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1f];

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

type Chunk =
  | { readonly kind: 'frame'; readonly sequenceId: number; readonly lengthDelta: number; readonly payload: Uint8Array }
  | { readonly kind: 'garbage'; readonly bytes: Uint8Array }
  | { readonly kind: 'oversized'; readonly declared: number; readonly sent: number };

const SOUP_WORDS = [...Object.keys(kw), 'd', 't', 'k', 's', 'x', 'r', '`d`', 'information_schema', 'nope'];
const soupToken = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SOUP_WORDS) },
  { weight: 3, arbitrary: fc.constantFrom('(', ')', ',', ';', '.', '*', '=', '<', '>', '+', '-', '/', '%', "'", '"', '`', '@', '@@', '--', '/*', '*/', '#', '\\') },
  { weight: 2, arbitrary: fc.oneof(fc.integer().map(String), fc.double({ noNaN: true }).map(String), fc.bigInt().map(String)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 8 }).map((s) => `'${s}'`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);
/** Statement openings, so that part of the soups get past the first tokens into the analyzer and executor. */
const OPENINGS = [
  '', '', 'SELECT ', 'SELECT k, s FROM d.t WHERE ', 'SELECT COUNT(*) FROM d.t GROUP BY ', 'SHOW ', 'SHOW BACKUP FROM d ',
  'INSERT INTO d.t VALUES (', 'CREATE TABLE d.z (k INT) ', 'BACKUP SNAPSHOT d.s TO r ', 'RESTORE SNAPSHOT d.s FROM r ',
  'SET ', 'SELECT @@', 'DELETE FROM d.t WHERE ', 'DESC ',
];
/** Token soups: keywords, names, literals and punctuation in random order (sometimes almost SQL, mostly not). */
const sqlSoup = fc
  .tuple(fc.constantFrom(...OPENINGS), fc.array(soupToken, { minLength: 1, maxLength: 14 }))
  .map(([opening, tokens]) => opening + tokens.join(' '));

const commandPayload = fc
  .tuple(
    fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...COMMANDS) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }),
    fc.oneof(fc.uint8Array({ maxLength: 48 }), sqlSoup.map(utf8), fc.string({ maxLength: 24 }).map(utf8)),
  )
  .map(([code, body]) => new Uint8Array([code, ...body]));

const chunkArb: fc.Arbitrary<Chunk> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('frame' as const),
      sequenceId: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }),
      lengthDelta: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -4, max: 4 }) }),
      payload: fc.oneof({ weight: 8, arbitrary: commandPayload }, { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('oversized' as const),
      declared: fc.integer({ min: 1 << 16, max: 0xffffff }),
      sent: fc.integer({ min: 0, max: 70_000 }),
    }),
  },
);

function encode(chunk: Chunk): Buffer {
  switch (chunk.kind) {
    case 'garbage':
      return Buffer.from(chunk.bytes);
    case 'oversized': {
      const head = Buffer.from([chunk.declared & 0xff, (chunk.declared >> 8) & 0xff, (chunk.declared >> 16) & 0xff, 0, 0x03]);
      return Buffer.concat([head, Buffer.alloc(Math.min(chunk.sent, chunk.declared - 1), 0x41)]);
    }
    case 'frame': {
      const length = Math.max(0, chunk.payload.length + chunk.lengthDelta);
      return Buffer.concat([Buffer.from([length & 0xff, (length >> 8) & 0xff, (length >> 16) & 0xff, chunk.sequenceId]), Buffer.from(chunk.payload)]);
    }
  }
}

/** Send `bytes` after a valid login, half-close, and collect everything the server sends until it closes. */
async function exchange(bytes: readonly Buffer[]): Promise<Buffer> {
  const { client, reply } = await RawClient.connect(server.port);
  expect(reply.payload[0]).toBe(0x00);
  const socket = client.socket;
  // RawClient buffers data for its own reads; we take the raw stream from here on.
  const received: Buffer[] = [];
  socket.on('data', (c: Buffer) => received.push(c));
  const closed = once(socket, 'close');
  for (const b of bytes) socket.write(b);
  socket.end();
  const timer = setTimeout(() => socket.destroy(new Error('server kept the connection open 10 s after the client half-closed')), 10_000);
  await closed;
  clearTimeout(timer);
  return Buffer.concat(received);
}

describe('fuzz: raw protocol packets after a valid login', () => {
  it('every reply is well formed, no partial packet, the server keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(chunkArb, { minLength: 1, maxLength: 6 }), async (chunks) => {
        const bytes = await exchange(chunks.map(encode));
        checkReplies(splitPackets(bytes));
        await assertAlive();
      }),
      { numRuns: 120 },
    );
    expect(processFaults).toEqual([]);
  }, 60_000);

  it('well-framed commands (correct lengths, sequence id 0) each get exactly one reply or none by protocol', async () => {
    // Commands that end the connection or have no reply by protocol.
    const silent = new Set([0x01, 0x18, 0x19]);
    await fc.assert(
      fc.asyncProperty(fc.array(commandPayload.filter((p) => !silent.has(p[0]!) && p[0] !== 0x0c), { minLength: 1, maxLength: 5 }), async (payloads) => {
        const frames = payloads.map((payload) => encode({ kind: 'frame', sequenceId: 0, lengthDelta: 0, payload }));
        const { client } = await RawClient.connect(server.port);
        try {
          for (const f of frames) client.socket.write(f);
          // Reply by reply, in order: one complete, well-formed reply per command.
          for (let n = 0; n < frames.length; n++) {
            await readReply(client, payloads[n]![0]);
          }
        } finally {
          client.close();
        }
      }),
      { numRuns: 80 },
    );
    await assertAlive();
    expect(processFaults).toEqual([]);
  }, 60_000);
});

describe('regressions found by the fuzzer', () => {
  /** Send one raw command (sequence id 0) and read its reply; then a COM_PING must still be answered with OK. */
  async function oneCommand(payload: Buffer): Promise<Packet[]> {
    const { client } = await RawClient.connect(server.port);
    try {
      client.write(0, payload);
      const reply = await readReply(client, payload[0]);
      client.command(0x0e);
      expect((await client.read()).payload[0]).toBe(0x00);
      return reply;
    } finally {
      client.close();
    }
  }

  it.each([
    ['empty', Buffer.from([0x17]), 1835],
    ['a statement id only', Buffer.from([0x17, 1, 0, 0, 0]), 1835],
    ['garbage for a statement never prepared', Buffer.from([0x17, 0xff, 0xff, 0xff, 0xff, 0x09, 1, 0, 0, 0, 1, 0xfd, 0x00]), 1243],
  ])('a malformed COM_STMT_EXECUTE (%s) gets one ERR (%i) and the connection stays usable', async (_name, payload, errno) => {
    const [reply, ...rest] = await oneCommand(payload);
    expect(rest).toEqual([]);
    expect(reply!.payload[0]).toBe(0xff);
    expect(reply!.payload.readUInt16LE(1)).toBe(errno);
  });

  it.each([
    ['alone', Buffer.from([0xff])],
    ['with a body', Buffer.from([0xff, 0x41, 0x44, 0x44])],
  ])('a command byte 0xff (%s) gets ERR 1047 and the connection stays usable', async (_name, payload) => {
    const [reply, ...rest] = await oneCommand(payload);
    expect(rest).toEqual([]);
    expect(reply!.payload[0]).toBe(0xff);
    expect(reply!.payload.readUInt16LE(1)).toBe(1047);
  });

  it('a multi-statement whose first statement succeeds and second fails is one reply: OK (more results), then ERR', async () => {
    // CI found this: the reply checker stopped after the first OK and took the ERR (sequence id 2) for a new reply.
    const [ok, err, ...rest] = await oneCommand(Buffer.from("\x03CREATE TABLE d.multi_ok (k INT)  ; MILLISECOND '@'", 'latin1'));
    expect(rest).toEqual([]);
    expect(ok!.payload[0]).toBe(0x00);
    expect(checkOk(ok!.payload) & MORE_RESULTS).toBe(MORE_RESULTS);
    expect([ok!.sequenceId, err!.sequenceId]).toEqual([1, 2]);
    expect(err!.payload.readUInt16LE(1)).toBe(1064);
  });

  it('a COM_STMT_PREPARE with result columns is one reply: prepare-OK, column definitions, EOF', async () => {
    // CI found this: the checker took the prepare-OK for a plain OK and the definitions for a new reply.
    const reply = await oneCommand(Buffer.from('\x16SELECT k, s FROM d.t WHERE 0', 'latin1'));
    expect(reply.map((p) => p.sequenceId)).toEqual([1, 2, 3, 4]);
    expect([reply[0]!.payload.readUInt16LE(5), reply[0]!.payload.readUInt16LE(7)]).toEqual([2, 0]);
    expect(checkReplies(reply)).toBe(1);
  });

  it('a COM_FIELD_LIST of a table is one reply: its column definitions, then EOF', async () => {
    const { client } = await RawClient.connect(server.port);
    try {
      client.command(0x02, 'd');
      await readReply(client, 0x02);
      client.command(0x04, 't\0');
      const reply = await readReply(client, 0x04);
      expect(reply.map((p) => p.sequenceId)).toEqual([1, 2, 3, 4]);
      // The whole-stream checker (command unknown) tells the shape from the packets.
      expect(checkReplies(reply)).toBe(1);
    } finally {
      client.close();
    }
  });

  it('an empty command packet gets ERR 1835 and the connection stays usable', async () => {
    const [reply] = await oneCommand(Buffer.alloc(0));
    expect(reply!.payload.readUInt16LE(1)).toBe(1835);
  });

  it("a client's malformed utf8mb3 text does not corrupt another client's login or statements", async () => {
    // RawClient logs in with charset 33 (utf8mb3). A COM_INIT_DB name ending in a cut multi-byte sequence must not
    // leave decoder state behind that garbles the next text decoded for someone else ('\uFFFDroot' → 1045). The name
    // is not utf8: 1366 (Incorrect string value).
    const poison = async (): Promise<void> => {
      const { client } = await RawClient.connect(server.port);
      client.command(0x02, Buffer.from([0x8a, 0x66, 0xc0]));
      expect((await readReply(client))[0]!.payload.readUInt16LE(1)).toBe(1366);
      client.close();
    };
    await poison();
    const { client, reply } = await RawClient.connect(server.port);
    try {
      expect(reply.payload[0], reply.payload.toString('utf8')).toBe(0x00);
      await poison();
      client.command(0x03, 'SELECT 1');
      const [first] = await readReply(client);
      expect(first!.payload[0], first!.payload.toString('utf8')).toBe(0x01);
    } finally {
      client.close();
    }
  });

  it.each([0, 1, 3])('COM_PROCESS_KILL with a %i-byte id gets ERR 1835 (malformed packet), kills nobody, and the connection stays usable', async (n) => {
    const victim = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    try {
      // The bytes after the short packet would spell the victim's id if the id were read past the packet's end.
      const id = Buffer.alloc(4);
      id.writeUInt32LE(victim.threadId);
      const { client } = await RawClient.connect(server.port);
      try {
        const kill = Buffer.concat([Buffer.from([0x0c]), id.subarray(0, n)]);
        const ping = Buffer.concat([Buffer.from([1, 0, 0, 0, 0x0e]), id]);
        client.socket.write(Buffer.concat([Buffer.from([kill.length, 0, 0, 0]), kill, ping.subarray(0, 5)]));
        const [reply, ...rest] = await readReply(client);
        expect(rest).toEqual([]);
        expect(reply!.payload[0]).toBe(0xff);
        expect(reply!.payload.readUInt16LE(1)).toBe(1835);
        expect((await client.read()).payload[0]).toBe(0x00);
      } finally {
        client.close();
      }
      const [rows] = await victim.query<mysql.RowDataPacket[]>({ sql: 'SELECT 1', rowsAsArray: true });
      expect(rows).toEqual([[1]]);
    } finally {
      victim.destroy();
    }
  });
});

describe('fuzz: the handshake response', () => {
  it('garbage or truncated handshake responses never hurt the server', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 120 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: -8, max: 8 }), async (body, sequenceId, delta) => {
        const socket = net.connect(server.port, '127.0.0.1');
        socket.on('error', () => undefined);
        await once(socket, 'connect');
        const closed = once(socket, 'close');
        socket.once('data', () => {
          const length = Math.max(0, body.length + delta);
          socket.write(Buffer.concat([Buffer.from([length & 0xff, (length >> 8) & 0xff, (length >> 16) & 0xff, sequenceId]), Buffer.from(body)]));
          socket.end();
        });
        const timer = setTimeout(() => socket.destroy(), 10_000);
        await closed;
        clearTimeout(timer);
        await assertAlive();
      }),
      { numRuns: 60 },
    );
    expect(processFaults).toEqual([]);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------------------
// SQL text fuzz

describe('fuzz: random SQL text through mysql2', () => {
  it('every statement succeeds or fails with a real errno and SQLSTATE; the connection survives', async () => {
    const open = (): Promise<mysql.Connection> =>
      mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', multipleStatements: true, database: 'd' });
    let conn = await open();
    const outcomes = new Map<string, number>();
    try {
      await fc.assert(
        fc.asyncProperty(sqlSoup, async (sql) => {
          try {
            await conn.query(sql);
            outcomes.set('ok', (outcomes.get('ok') ?? 0) + 1);
          } catch (error) {
            outcomes.set(String((error as { errno?: number }).errno), (outcomes.get(String((error as { errno?: number }).errno)) ?? 0) + 1);
            const e = error as { errno?: number; sqlState?: string; fatal?: boolean; code?: string; message: string };
            const killedItself = /\bKILL\b/i.test(sql);
            if (e.fatal === true && killedItself) {
              conn.destroy();
              conn = await open();
              return;
            }
            expect(e.fatal, `${sql} → ${e.code}: ${e.message}`).not.toBe(true);
            expect(e.errno, `${sql} → ${e.message}`).toEqual(expect.any(Number));
            expect(e.sqlState, `${sql} → ${e.message}`).toMatch(/^[0-9A-Z]{5}$/);
            expect(e.message, sql).not.toMatch(/^Internal error/);
          }
        }),
        { numRuns: 400 },
      );
    } finally {
      conn.destroy();
    }
    // The soups reach past the parser: some run, and errors other than syntax errors occur.
    expect(outcomes.get('ok') ?? 0, JSON.stringify([...outcomes])).toBeGreaterThan(0);
    expect([...outcomes.keys()].filter((k) => k !== 'ok' && k !== '1064').length, JSON.stringify([...outcomes])).toBeGreaterThan(0);
    await assertAlive();
    expect(processFaults).toEqual([]);
  }, 60_000);
});
