/** A byte-level MySQL client for protocol details the real clients hide (sequence ids, raw command codes). */
import net from 'node:net';
import { once } from 'node:events';

export interface RawPacket {
  readonly sequenceId: number;
  readonly payload: Buffer;
}

export class RawClient {
  readonly socket: net.Socket;
  #buffer = Buffer.alloc(0);
  #waiters: (() => void)[] = [];
  #ended = false;
  handshake: { serverVersion: string; connectionId: number; capabilities: number; scramble: Buffer } | undefined;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number, user = 'root', token: Buffer = Buffer.alloc(0)): Promise<{ client: RawClient; reply: RawPacket }> {
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const client = new RawClient(socket);
    const hello = await client.read();
    const p = hello.payload;
    let o = 1;
    const versionEnd = p.indexOf(0, o);
    const serverVersion = p.toString('latin1', o, versionEnd);
    o = versionEnd + 1;
    const connectionId = p.readUInt32LE(o);
    o += 4;
    const part1 = p.subarray(o, o + 8);
    o += 9;
    const capsLow = p.readUInt16LE(o);
    o += 2 + 1 + 2;
    const capsHigh = p.readUInt16LE(o);
    o += 2 + 1 + 10;
    const part2 = p.subarray(o, o + 12);
    client.handshake = { serverVersion, connectionId, capabilities: capsLow | (capsHigh << 16), scramble: Buffer.concat([part1, part2]) };
    // PROTOCOL_41 | SECURE_CONNECTION | LONG_PASSWORD | MULTI_RESULTS | MULTI_STATEMENTS | PLUGIN_AUTH
    const caps = 0x200 | 0x8000 | 0x1 | 0x20000 | 0x10000 | 0x80000;
    const head = Buffer.alloc(32);
    head.writeUInt32LE(caps, 0);
    head.writeUInt32LE(0x1000000, 4);
    head[8] = 33;
    const response = Buffer.concat([head, Buffer.from(`${user}\0`), Buffer.from([token.length]), token, Buffer.from('mysql_native_password\0')]);
    client.write(1, response);
    const reply = await client.read();
    return { client, reply };
  }

  write(sequenceId: number, payload: Buffer): void {
    const header = Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, (payload.length >> 16) & 0xff, sequenceId]);
    this.socket.write(Buffer.concat([header, payload]));
  }

  /** Send a command (sequence id 0). */
  command(code: number, body: Buffer | string = Buffer.alloc(0)): void {
    this.write(0, Buffer.concat([Buffer.from([code]), typeof body === 'string' ? Buffer.from(body, 'utf8') : body]));
  }

  async read(timeoutMs = 5000): Promise<RawPacket> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#buffer.length >= 4) {
        const length = this.#buffer.readUIntLE(0, 3);
        if (this.#buffer.length >= 4 + length) {
          const packet = { sequenceId: this.#buffer[3]!, payload: this.#buffer.subarray(4, 4 + length) };
          this.#buffer = this.#buffer.subarray(4 + length);
          return packet;
        }
      }
      if (this.#ended) throw new Error('connection closed');
      if (Date.now() > deadline) throw new Error('timed out waiting for a packet');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Read until a result-set terminator or OK/ERR; returns every packet. */
  async readResult(): Promise<RawPacket[]> {
    const packets: RawPacket[] = [];
    let eofs = 0;
    for (;;) {
      const p = await this.read();
      packets.push(p);
      const first = p.payload[0];
      if (packets.length === 1 && (first === 0x00 || first === 0xff)) return packets;
      if (first === 0xff) return packets;
      if (first === 0xfe && p.payload.length < 9 && ++eofs === 2) return packets;
    }
  }

  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/** Decode an ERR payload. */
export function parseErr(payload: Buffer): { errno: number; sqlState: string; message: string } {
  return { errno: payload.readUInt16LE(1), sqlState: payload.toString('latin1', 4, 9), message: payload.toString('utf8', 9) };
}
