import type { Socket } from 'node:net';

/** Thrown when the client went away while we were replying; the caller stops writing and carries on. */
export class ClientGoneError extends Error {
  override name = 'ClientGoneError';
}

/** Packets are coalesced into writes of about this size: few syscalls, bounded memory per connection. */
const CHUNK_BYTES = 64 * 1024;
/** A MySQL packet's payload is at most 2^24-1 bytes; longer payloads continue in further packets. */
const MAX_PAYLOAD = 0xffffff;

/**
 * Frames reply payloads (3-byte length + sequence id) and writes them with back-pressure. Sequence ids are ours,
 * not mysql2's: mysql2 never resets its counter between commands (stack-notes §1.2), so every reply starts from the
 * id the command arrived with + 1, which the caller passes to `begin`.
 */
export class PacketWriter {
  readonly #socket: Socket;
  #sequenceId = 0;
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(socket: Socket) {
    this.#socket = socket;
    // A write to a client that reset the connection emits 'error' (ECONNRESET/EPIPE); unheard, that would be an
    // uncaught exception. 'close' follows and is what ends a pending flush, so the error itself needs no handling.
    socket.on('error', () => undefined);
  }

  /** False once the client has gone: further output is pointless. */
  get open(): boolean {
    return !this.#socket.destroyed && this.#socket.writable;
  }

  /** Start a reply; `sequenceId` is the id of the first packet we send (the command's id + 1). */
  begin(sequenceId: number): void {
    this.#sequenceId = sequenceId & 0xff;
  }

  /** Queue one packet. Call `flushIfFull()` in loops so large results never pile up in memory. */
  packet(payload: Buffer): void {
    let offset = 0;
    // A payload of exactly MAX_PAYLOAD bytes (or a multiple) must be followed by an empty packet: loop until short.
    for (;;) {
      const length = Math.min(MAX_PAYLOAD, payload.length - offset);
      const header = Buffer.from([length & 0xff, (length >> 8) & 0xff, (length >> 16) & 0xff, this.#sequenceId]);
      this.#sequenceId = (this.#sequenceId + 1) & 0xff;
      this.#push(header);
      this.#push(payload.subarray(offset, offset + length));
      offset += length;
      if (length < MAX_PAYLOAD) break;
    }
  }

  /**
   * Flush when enough is queued; resolves once the socket can take more (back-pressure). `signal` ends the wait for
   * a client that stops reading: KILL QUERY must not wait for the client to read on (rejects with the abort reason).
   */
  async flushIfFull(signal?: AbortSignal): Promise<void> {
    if (this.#pendingBytes >= CHUNK_BYTES) await this.flush(signal);
  }

  /** Write everything queued; waits for 'drain' when the socket's buffer is full. Throws ClientGoneError. */
  async flush(signal?: AbortSignal): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const data = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    if (!this.open) throw new ClientGoneError('client disconnected');
    if (this.#socket.write(data)) return;
    if (signal?.aborted) throw abortReason(signal);
    await new Promise<void>((resolve, reject) => {
      const socket = this.#socket;
      const done = (error?: unknown): void => {
        socket.off('drain', onDrain);
        socket.off('close', onClose);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onDrain = (): void => done();
      const onClose = (): void => done(new ClientGoneError('client disconnected'));
      const onAbort = (): void => done(abortReason(signal as AbortSignal));
      socket.on('drain', onDrain);
      socket.on('close', onClose);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Drop queued output (client gone). */
  discard(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  #push(buffer: Buffer): void {
    this.#pending.push(buffer);
    this.#pendingBytes += buffer.length;
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
