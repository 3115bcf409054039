import net from 'node:net';
import path from 'node:path';
import { Engine } from '../engine.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { parseArgs, optionHelp, UsageError, type OptionSpec } from '../cli/args.ts';
import { startServer, PortInUseError } from './server.ts';
import { startMetricsServer, type MetricsServer } from './metrics-server.ts';
import { parseWorker } from '../sql/parse/worker-pool.ts';
import { fsPool } from '../util/fs-pool.ts';
import { isLoopbackAddress } from '../sql/privileges/host-match.ts';
import { ROOT_PASSWORD_ENV } from '../sql/privileges/root-password.ts';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'data-dir', takesValue: true, help: 'catalog and data directory (default ./tablevault-data)' },
  { name: 'host', takesValue: true, help: 'interface to listen on (default 127.0.0.1)' },
  { name: 'port', takesValue: true, help: 'MySQL protocol port (default 9030, 0 = any free port)' },
  { name: 'metrics-port', takesValue: true, help: 'serve OpenMetrics at http://HOST:N/metrics (default: off, 0 = any free port)' },
  { name: 'backends', takesValue: true, help: 'number of backends when creating a new data dir (default 3)' },
  { name: 'root-password', takesValue: true, help: `set root's password at start-up (or env ${ROOT_PASSWORD_ENV}); required to listen beyond loopback` },
  { name: 'log-level', takesValue: true, help: 'pino level: trace, debug, info (default), warn, error, silent' },
  { name: 'help', takesValue: false, help: 'show this help' },
];

const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

/** Parsed `tablevault serve` options. */
export interface ServeOptions {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  /** Port of the OpenMetrics endpoint on `host`; undefined = no endpoint. */
  readonly metricsPort: number | undefined;
  readonly backends: number;
  readonly logLevel: string | undefined;
  /** root's password to set at start-up (never logged); undefined = env TABLEVAULT_ROOT_PASSWORD or keep. */
  readonly rootPassword: string | undefined;
}

/** Parse `serve` arguments; throws UsageError with a message that says what to fix. */
export function parseServeArgs(argv: readonly string[]): ServeOptions | 'help' {
  const { options, positionals } = parseArgs(argv, OPTIONS);
  if (options.has('help')) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const text = (name: string): string | undefined => {
    const value = options.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = text(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
    }
    return Number(value);
  };
  const logLevel = text('log-level');
  if (logLevel !== undefined && !LOG_LEVELS.has(logLevel)) throw new UsageError(`--log-level must be one of ${[...LOG_LEVELS].join(', ')}`);
  return {
    dataDir: path.resolve(text('data-dir') ?? './tablevault-data'),
    host: text('host') ?? '127.0.0.1',
    port: integer('port', 9030, 0, 65535),
    metricsPort: text('metrics-port') === undefined ? undefined : integer('metrics-port', 0, 0, 65535),
    backends: integer('backends', 3, 1, 64),
    logLevel,
    rootPassword: text('root-password'),
  };
}

/** Fail fast (before the data dir is touched) when the port is taken. Resolves when it is free. */
async function probePort(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(`port ${port} is already in use on ${host}: stop the other server or pass --port`) : error);
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/**
 * Resolves with the first SIGINT/SIGTERM, or with 'SHUTDOWN' when a client's SHUTDOWN / COM_SHUTDOWN is accepted
 * (`request`); a second signal exits at once (the operator insists).
 */
function firstSignal(logger: Logger): { signal: Promise<NodeJS.Signals | 'SHUTDOWN'>; request(): void; dispose(): void } {
  let received: NodeJS.Signals | undefined;
  let resolveSignal: (s: NodeJS.Signals | 'SHUTDOWN') => void = () => undefined;
  const signal = new Promise<NodeJS.Signals | 'SHUTDOWN'>((resolve) => (resolveSignal = resolve));
  const onSignal = (s: NodeJS.Signals): void => {
    if (received !== undefined) {
      logger.warn({ signal: s }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    received = s;
    resolveSignal(s);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal,
    request: () => resolveSignal('SHUTDOWN'),
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * `tablevault serve`: open the data dir, serve the MySQL protocol until SIGINT/SIGTERM, then stop accepting, let
 * running statements finish, and close the engine (jobs stay resumable: they are persisted, not tied to sockets).
 * Returns the process exit code.
 */
export async function runServe(argv: readonly string[]): Promise<number> {
  const parsed = parseServeArgs(argv);
  if (parsed === 'help') {
    process.stdout.write(`usage: tablevault serve [options]\n${optionHelp(OPTIONS)}\n`);
    return 0;
  }
  const logger = createLogger(parsed.logLevel === undefined ? {} : { level: parsed.logLevel });
  const signals = firstSignal(logger);
  try {
    try {
      await probePort(parsed.host, parsed.port);
      if (parsed.metricsPort !== undefined) await probePort(parsed.host, parsed.metricsPort);
    } catch (error) {
      process.stderr.write(`tablevault serve: ${(error as Error).message}\n`);
      return 1;
    }
    const engine = await Engine.open({
      dataDir: parsed.dataDir, backends: parsed.backends, logger, ...(parsed.rootPassword === undefined ? {} : { rootPassword: parsed.rootPassword }),
    });
    if (!isLoopbackAddress(parsed.host) && engine.rootPasswordIsEmpty()) {
      // Anyone who can reach the port could log in as root: refuse rather than expose the data.
      await engine.close();
      process.stderr.write(
        `tablevault serve: refusing to listen on ${parsed.host} while root has an empty password (or one of only whitespace). ` +
          `Set one with --root-password or ${ROOT_PASSWORD_ENV} (or SET PASSWORD as root), or listen on 127.0.0.1.\n`,
      );
      return 1;
    }
    let server;
    try {
      server = await startServer(engine, { host: parsed.host, port: parsed.port, logger, onShutdown: () => signals.request() });
    } catch (error) {
      await engine.close();
      process.stderr.write(`tablevault serve: ${(error as Error).message}\n`);
      return 1;
    }
    let metrics: MetricsServer | undefined;
    if (parsed.metricsPort !== undefined) {
      try {
        metrics = await startMetricsServer(engine.metrics, { host: parsed.host, port: parsed.metricsPort, logger });
      } catch (error) {
        await server.close();
        await engine.close();
        process.stderr.write(`tablevault serve: metrics port ${parsed.metricsPort}: ${(error as Error).message}\n`);
        return 1;
      }
    }
    process.stdout.write(`tablevault listening on ${parsed.host}:${server.port} (data dir ${parsed.dataDir})\n`);
    if (metrics !== undefined) process.stdout.write(`metrics at http://${parsed.host}:${metrics.port}/metrics\n`);
    // A server will see large statements and jobs: start the parser thread and the file threads jobs use now, rather
    // than make the first statement or job wait for them. (An embedded Engine.open does not: for a one-statement
    // `tablevault sql -e` the threads' start-up was ~150 ms of a ~550 ms command; a job starts them on demand.)
    parseWorker.warm();
    fsPool().warm();
    const signal = await signals.signal;
    logger.info({ signal }, 'shutting down: no new connections, waiting for running statements');
    await metrics?.close();
    await server.close();
    await engine.close();
    logger.info('stopped');
    return 0;
  } finally {
    signals.dispose();
  }
}
