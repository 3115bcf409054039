/**
 * max_allowed_packet at the wire. mysql2 assembles every client packet (and 16 MB continuation packets into one
 * logical packet) in memory before anything sees it, so a client could make the server buffer a gigabyte. This
 * guard reads the MySQL frame headers as bytes arrive, ahead of mysql2: once a logical packet is declared larger
 * than the limit, mysql2 stops receiving data, the rest of the packet is read and dropped (so the client, which
 * is still writing it, then reads the answer), and `onOversized` sends MySQL's 1153 and closes the connection.
 */
import type { Socket } from 'node:net';

/** 3-byte length + 1-byte sequence id. */
const HEADER = 4;
/** A physical packet this long is continued by the next one (MySQL's 16 MB split). */
const CONTINUED = 0xffffff;

/** What the connection learns from the guard. */
export interface PacketGuard {
  /** How many whole packets came before the oversized one (Infinity while none is): mysql2's later ones are dropped. */
  readonly packetsAllowed: number;
}

/**
 * Watch `socket`'s client packets. `limit()` is read at each new logical packet (max_allowed_packet of the session,
 * or the global value before login). `onOversized(bytes, sequenceId)` is called once, after the oversized packet
 * has been read to its end; `sequenceId` is its last frame's, so the reply takes the next one.
 */
export function guardPacketSize(socket: Socket, limit: () => number, onOversized: (bytes: number, sequenceId: number) => void): PacketGuard {
  const header = Buffer.alloc(HEADER);
  let headerBytes = 0;
  let payloadLeft = 0;
  // Length so far of the logical packet being read, and whether its last frame has begun.
  let logical = 0;
  let lastFrame = true;
  let sequenceId = 0;
  let oversized = false;
  let reported = false;
  let completed = 0;
  let packetsAllowed = Infinity;
  let allowed = 0;

  const frameEnded = (): void => {
    if (!lastFrame) return;
    if (!oversized) completed++;
    if (oversized && !reported) {
      reported = true;
      onOversized(logical, sequenceId);
    }
    logical = 0;
  };

  const onData = (chunk: Buffer): void => {
    let i = 0;
    while (i < chunk.length && !reported) {
      if (payloadLeft === 0 && headerBytes < HEADER) {
        header[headerBytes++] = chunk[i++] as number;
        if (headerBytes < HEADER) continue;
        headerBytes = 0;
        const length = (header[0] as number) | ((header[1] as number) << 8) | ((header[2] as number) << 16);
        sequenceId = header[3] as number;
        if (logical === 0) allowed = limit();
        logical += length;
        lastFrame = length < CONTINUED;
        if (!oversized && logical > allowed) {
          oversized = true;
          packetsAllowed = completed;
          // mysql2 gets nothing more (this chunk it already has: the connection drops what it parses from it).
          for (const listener of socket.listeners('data')) if (listener !== onData) socket.off('data', listener as (b: Buffer) => void);
        }
        payloadLeft = length;
        if (length === 0) frameEnded();
        continue;
      }
      const take = Math.min(payloadLeft, chunk.length - i);
      i += take;
      payloadLeft -= take;
      if (payloadLeft === 0) frameEnded();
    }
  };
  socket.prependListener('data', onData);
  return {
    get packetsAllowed() {
      return packetsAllowed;
    },
  };
}
