import { createServer as createMysqlServer } from 'mysql2';
import type { Server as NetServer, AddressInfo } from 'node:net';
import type { Logger } from '../logging/logger.ts';
import type { Engine, Session } from '../engine.ts';
import { sqlError } from '../errors/index.ts';
import { acceptMysqlConnection, type Authenticate, type MysqlConnection } from './mysql-connection.ts';
import { writeStatementResults } from './result-writer.ts';
import { ServerStatus } from './packets.ts';
import { redactSql } from '../../grammar/index.ts';
import { findSystemVariable, SERVER_VERSION } from '../sql/variables/index.ts';

/** max_allowed_packet's default, for packets before a session exists. */
const DEFAULT_MAX_ALLOWED_PACKET = Number(findSystemVariable('max_allowed_packet')?.defaultValue ?? 33554432n);

export interface ServerOptions {
  /** Interface to bind; default 127.0.0.1 (loopback: nothing is exposed unless asked). */
  readonly host?: string;
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Parent logger; the server logs under `component: 'server'`. */
  readonly logger: Logger;
  /** Version string of the handshake (what clients show as "Server version"). */
  readonly serverVersion?: string;
  /** Login check; default: root with an empty password only. */
  readonly authenticate?: Authenticate;
  /** How long shutdown waits for running statements before interrupting them; default 10 s. */
  readonly shutdownTimeoutMs?: number;
}

/** A running server. */
export interface RunningServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** The bound address. */
  readonly host: string;
  /** Live client connections. */
  readonly connectionCount: number;
  /** Stop accepting, let running statements finish (bounded), close every connection. Idempotent. */
  close(): Promise<void>;
}

/** The listen address is taken; `message` says what to do. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  readonly code = 'EADDRINUSE';
}

/** Default login policy until users land: root, empty password. */
export const rootWithoutPassword: Authenticate = (user, _host, _scramble, token) => user === 'root' && token.length === 0;

/** The engine's own login check, when it has one (Engine.authenticate). */
function engineAuthenticate(engine: object): Authenticate | undefined {
  const check = (engine as Partial<Pick<Engine, 'authenticate'>>).authenticate;
  return typeof check === 'function' ? check.bind(engine) : undefined;
}

/**
 * What the server needs from the engine: connection ids (sent in the greeting, before any session exists) and
 * sessions. KILL and SHOW PROCESSLIST are the engine's: it tracks its sessions, and a KILL CONNECTION reaches the
 * server through `session.onKill`. `Engine` satisfies this; tests may pass a small fake.
 */
export type SessionFactory = Pick<Engine, 'session' | 'nextConnectionId'>;

/** Counters for COM_STATISTICS (mysqladmin status, the mariadb CLI's `status`). */
interface Statistics {
  readonly startedAt: number;
  questions: number;
}

function statisticsLine(stats: Statistics, threads: number): string {
  const uptime = Math.max(0, Math.floor((Date.now() - stats.startedAt) / 1000));
  const qps = uptime > 0 ? (stats.questions / uptime).toFixed(3) : '0.000';
  return `Uptime: ${uptime}  Threads: ${threads}  Questions: ${stats.questions}  Slow queries: 0  Opens: 0  Open tables: 0  Queries per second avg: ${qps}`;
}

/** Start the MySQL-protocol server in front of `engine`. */
export async function startServer(engine: SessionFactory, options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger.child({ component: 'server' });
  const stats: Statistics = { startedAt: Date.now(), questions: 0 };
  // A real Engine checks its accounts (mysql_native_password against the stored double SHA1); fakes fall back.
  const authenticate = options.authenticate ?? engineAuthenticate(engine) ?? rootWithoutPassword;
  const serverVersion = options.serverVersion ?? SERVER_VERSION;
  const connections = new Set<MysqlConnection>();
  const sessions = new Map<MysqlConnection, () => Session | undefined>();

  const mysqlServer = createMysqlServer((raw) => {
    const connectionId = engine.nextConnectionId();
    const log = logger.child({ connectionId });
    let session: Session | undefined;
    const connection = acceptMysqlConnection(raw, {
      connectionId,
      serverVersion,
      logger: log,
      // Before login (the handshake response), the default applies.
      maxPacketBytes: () => session?.maxAllowedPacket ?? DEFAULT_MAX_ALLOWED_PACKET,
      handlers: {
        authenticate,
        login: (info) => {
          const opened = engine.session({ user: info.user, host: info.host, connectionId });
          try {
            if (info.database !== undefined) opened.useDatabase(info.database);
          } catch (error) {
            opened.close();
            throw error;
          }
          session = opened;
          session.onKill(() => connection.close());
          log.debug({ user: info.user, host: info.host, port: connection.socket.remotePort, database: info.database }, 'connection opened');
        },
        query: async (sql, reply) => {
          const current = requireSession(session);
          const started = performance.now();
          stats.questions++;
          let outcome: { errno?: number } = {};
          try {
            outcome = await writeStatementResults(current.executeScript(sql), reply);
          } finally {
            // Parsed again only when the line is written; secrets masked from the AST (unparseable: every quoted token).
            if (log.isLevelEnabled('debug')) log.debug({ sql: redactSql(sql), ms: Math.round(performance.now() - started), errno: outcome.errno }, 'statement');
          }
        },
        initDb: (database) => requireSession(session).useDatabase(database),
        serverStatus: () => {
          const st = session?.transactionStatus;
          return (st === undefined || st.autocommit ? ServerStatus.AUTOCOMMIT : 0) | (st?.inTransaction === true ? ServerStatus.IN_TRANS : 0);
        },
        statistics: () => statisticsLine(stats, connections.size),
        resetConnection: () => {
          const old = requireSession(session);
          const database = old.database;
          old.close();
          session = engine.session({ user: old.user, host: old.host, connectionId });
          session.onKill(() => connection.close());
          if (database !== undefined) session.useDatabase(database);
        },
        closed: () => {
          session?.close();
          connections.delete(connection);
          sessions.delete(connection);
          log.debug('connection closed');
        },
      },
    });
    connections.add(connection);
    sessions.set(connection, () => session);
  });

  const netServer = (mysqlServer as unknown as { _server: NetServer })._server;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      netServer.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(new PortInUseError(`port ${options.port} is already in use on ${host}: stop the other server or pass --port`, { cause: error }));
      } else if (error.code === 'EACCES') {
        reject(new Error(`not allowed to listen on ${host}:${options.port}: pick a port above 1023 with --port`, { cause: error }));
      } else reject(error);
    };
    const onListening = (): void => {
      netServer.off('error', onError);
      resolve();
    };
    netServer.once('error', onError);
    netServer.once('listening', onListening);
    netServer.listen(options.port, host);
  });
  // After start-up, accept errors (EMFILE, ECONNABORTED) must not kill the process.
  netServer.on('error', (error) => logger.error({ err: error }, 'server socket error'));
  const port = (netServer.address() as AddressInfo).port;
  logger.info({ host, port }, 'server listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => netServer.close(() => resolve()));
      for (const c of connections) c.drain();
      const busy = [...connections].filter((c) => c.busy);
      if (busy.length > 0) {
        logger.info({ statements: busy.length }, 'waiting for running statements');
        const timeout = options.shutdownTimeoutMs ?? 10_000;
        const settled = await waitAll(busy.map((c) => c.idle()), timeout);
        if (!settled) {
          // Past the bound: interrupt what still runs; jobs are not statements and stay resumable.
          for (const c of busy) if (c.busy) sessions.get(c)?.()?.interrupt();
          await waitAll(busy.map((c) => c.idle()), 2_000);
        }
      }
      for (const c of connections) c.close();
      await stopped;
      logger.info('server stopped');
    })();
    return closing;
  };

  return {
    port,
    host,
    get connectionCount() {
      return connections.size;
    },
    close,
  };
}

function requireSession(session: Session | undefined): Session {
  if (session === undefined) throw sqlError('ER_UNKNOWN_ERROR', 'the connection has no session yet');
  return session;
}

/** Resolve true when every promise settled within `ms`, false on timeout. */
async function waitAll(promises: readonly Promise<unknown>[], ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([Promise.allSettled(promises).then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
