import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server (s3rver) that can be told to stall: while stalled it accepts
 * connections and never answers, and the connections it was serving stop moving bytes — a server that hangs
 * without closing anything, the failure deadlines exist for. With no upstream it is a pure black hole.
 * Everything it opened is destroyed by close(), so a test leaves no socket behind.
 */
export interface StallingProxy {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  /** Stop answering (true) or forward again (false; stalled connections are dropped, clients reconnect). */
  setStalled(stalled: boolean): void;
  /** Connections accepted so far. */
  readonly accepted: () => number;
  close(): Promise<void>;
}

export async function startStallingProxy(upstream?: { host: string; port: number }): Promise<StallingProxy> {
  const sockets = new Set<net.Socket>();
  const held = new Set<net.Socket>();
  let stalled = upstream === undefined;
  let accepted = 0;
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      sockets.delete(socket);
      held.delete(socket);
    });
  };
  const stall = (socket: net.Socket): void => {
    socket.unpipe();
    socket.pause();
    held.add(socket);
  };
  const server = net.createServer((client) => {
    accepted++;
    track(client);
    if (stalled || upstream === undefined) return stall(client);
    const target = net.connect(upstream.port, upstream.host);
    track(target);
    client.pipe(target);
    target.pipe(client);
    client.once('close', () => target.destroy());
    target.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accepted: () => accepted,
    setStalled(next) {
      stalled = upstream === undefined || next;
      if (stalled) for (const s of sockets) stall(s);
      else for (const s of held) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
