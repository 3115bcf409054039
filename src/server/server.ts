import { createServer as createMysqlServer } from 'mysql2';
import type { Server as NetServer, AddressInfo } from 'node:net';
import type { Logger } from '../logging/logger.ts';
import type { Engine, Session } from '../engine.ts';
import { sqlError } from '../errors/index.ts';
import { acceptMysqlConnection, type Authenticate, type MysqlConnection, type Reply } from './mysql-connection.ts';
import { writeStatementResults } from './result-writer.ts';
import { wireColumns, type RowFormat } from './row-encoder.ts';
import type { StreamedResult } from '../sql/row-stream.ts';
import { charsetFromVariable } from './charsets.ts';
import { ServerStatus } from './packets.ts';
import { quoteIdentifier, quoteString, redactSql } from '../../grammar/index.ts';
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
  /**
   * A SHUTDOWN statement or COM_SHUTDOWN was accepted (the requester had the privilege). Default: close this server.
   * `tablevault serve` passes its own stop (the same graceful path as SIGTERM, which also closes the engine).
   */
  readonly onShutdown?: (who: string) => void;
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

/** The engine's SHUTDOWN hook, when it has one (Engine.onShutdownRequest). */
function engineShutdownHook(engine: object): ((listener: (who: string) => void) => () => void) | undefined {
  const hook = (engine as Partial<Pick<Engine, 'onShutdownRequest'>>).onShutdownRequest;
  return typeof hook === 'function' ? hook.bind(engine) : undefined;
}

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
    /** Replace the connection's session (login, COM_RESET_CONNECTION, COM_CHANGE_USER): the old one is closed. */
    const open = (user: string, host: string, database: string | undefined, charset: string | undefined): void => {
      const opened = engine.session({ user, host, connectionId });
      try {
        if (database !== undefined) opened.useDatabase(database);
        if (charset !== undefined) opened.setNames(charset);
      } catch (error) {
        opened.close();
        throw error;
      }
      session?.close();
      session = opened;
      session.onKill(() => connection.close());
    };
    const run = async (sql: string, reply: Reply, results: () => AsyncIterable<StreamedResult>, format: RowFormat): Promise<void> => {
      const started = performance.now();
      stats.questions++;
      let outcome: { errno?: number } = {};
      try {
        outcome = await writeStatementResults(results(), reply, format);
      } finally {
        // Parsed again only when the line is written; secrets masked from the AST (unparseable: every quoted token).
        if (log.isLevelEnabled('debug')) log.debug({ sql: redactSql(sql), ms: Math.round(performance.now() - started), errno: outcome.errno, format }, 'statement');
      }
    };
    const connection = acceptMysqlConnection(raw, {
      connectionId,
      serverVersion,
      logger: log,
      // Before login (the handshake response), the default applies.
      maxPacketBytes: () => session?.maxAllowedPacket ?? DEFAULT_MAX_ALLOWED_PACKET,
      handlers: {
        authenticate,
        login: (info) => {
          open(info.user, info.host, info.database, info.charset);
          log.debug({ user: info.user, host: info.host, port: connection.socket.remotePort, database: info.database, charset: info.charset }, 'connection opened');
        },
        charsets: () => {
          if (session === undefined) return { client: 'utf8mb4', results: 'utf8mb4' };
          return {
            client: charsetFromVariable(session.systemVariable('character_set_client')) ?? 'utf8mb4',
            results: charsetFromVariable(session.systemVariable('character_set_results')),
          };
        },
        query: (sql, reply) => run(sql, reply, () => requireSession(session).streamScript(sql), 'text'),
        prepare: (sql) => requireSession(session).prepare(sql),
        executePrepared: (prepared, values, reply) => run(prepared.text, reply, () => prepared.results(values), 'binary'),
        executeForCursor: (prepared, values) => {
          stats.questions++;
          return prepared.cursor(values);
        },
        limits: () => {
          const current = requireSession(session);
          return {
            preparedStatements: Number(current.systemVariable('max_prepared_stmt_count')),
            longDataBytes: Number(current.systemVariable('max_allowed_packet')),
          };
        },
        initDb: (database) => requireSession(session).useDatabase(database),
        fieldList: async (table, wildcard) => {
          const current = requireSession(session);
          // The same privilege checks and errors as a SELECT of the table (1046 no database, 1146, 1142).
          const result = await current.execute(`SELECT * FROM ${quoteIdentifier(table)} LIMIT 0`);
          if (result.kind !== 'rows') return [];
          let wanted: Set<string> | undefined;
          if (wildcard !== '') {
            const matching = await current.execute(`SHOW COLUMNS FROM ${quoteIdentifier(table)} LIKE ${quoteString(wildcard)}`);
            wanted = new Set(matching.kind === 'rows' ? matching.rows.map((row) => String(row[0])) : []);
          }
          const database = current.database ?? '';
          return wireColumns(result.columns, result.columnTypes, null)
            .map((definition) => ({ ...definition, schema: database, table }))
            .filter((definition) => wanted === undefined || wanted.has(definition.name));
        },
        serverStatus: () => {
          const st = session?.transactionStatus;
          return (st === undefined || st.autocommit ? ServerStatus.AUTOCOMMIT : 0) | (st?.inTransaction === true ? ServerStatus.IN_TRANS : 0);
        },
        statistics: () => statisticsLine(stats, connections.size),
        resetConnection: () => {
          const old = requireSession(session);
          open(old.user, old.host, old.database, undefined);
        },
        changeUser: (request) => {
          const old = requireSession(session);
          const charset = request.charset ?? charsetFromVariable(old.systemVariable('character_set_client')) ?? undefined;
          open(request.user, request.host, request.database, charset);
          log.debug({ from: old.user, user: request.user, database: request.database }, 'user changed');
        },
        resetAfterFailedChangeUser: () => {
          const old = requireSession(session);
          open(old.user, old.host, old.database, charsetFromVariable(old.systemVariable('character_set_client')) ?? undefined);
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
  const stopListening = engineShutdownHook(engine)?.((who) => {
    logger.info({ by: who }, 'SHUTDOWN: stopping the server');
    if (options.onShutdown !== undefined) options.onShutdown(who);
    else void close();
  });
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopListening?.();
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

