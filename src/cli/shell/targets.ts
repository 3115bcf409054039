/**
 * Where the shell's statements run. The interactive shell needs a little more than batch mode: a way to interrupt
 * the running statement (Ctrl-C) and, embedded, the engine's job events for the progress line.
 */
import type { Engine, Session } from '../../engine.ts';
import type { StatementResult } from '../../sql/result.ts';
import type { StreamedResult } from '../../sql/row-stream.ts';
import type { RemoteOptions } from '../remote-session.ts';
import type { EngineJobs } from './job-watch.ts';

export interface ShellTarget {
  /** `embedded` owns the engine (its jobs stop when the shell exits); `remote` is a client of a server. */
  readonly mode: 'embedded' | 'remote';
  /** For the banner: the data dir or `host:port`. */
  readonly where: string;
  /** Run one statement. */
  execute(sql: string): Promise<StatementResult>;
  /** Run one statement, its rows read while the caller prints them (batch mode). */
  stream?(sql: string): Promise<StreamedResult>;
  /** Stop the statement running now (KILL QUERY); a no-op when none runs. */
  interrupt(): void;
  /** The engine's job events (embedded, when the engine exposes them); otherwise the shell polls SHOW. */
  readonly jobs?: EngineJobs | undefined;
  /** Release the engine or the connection. */
  close(): Promise<void>;
}

/**
 * `engine.jobs` (the job scheduler's watch / waitForJob / events) lands with BACKUP / RESTORE; read it structurally
 * so the shell works on an engine with and without it.
 */
export function engineJobs(engine: Engine): EngineJobs | undefined {
  const jobs = (engine as unknown as { readonly jobs?: unknown }).jobs;
  return typeof jobs === 'object' && jobs !== null && typeof (jobs as { watch?: unknown }).watch === 'function' ? (jobs as EngineJobs) : undefined;
}

/** The shell on its own engine. Closing closes the engine. */
export function embeddedTarget(engine: Engine, session: Session, dataDir: string): ShellTarget {
  return {
    mode: 'embedded',
    where: `data dir ${dataDir}`,
    execute: (sql) => session.execute(sql),
    stream: (sql) => session.stream(sql),
    interrupt: () => session.interrupt(),
    get jobs() {
      return engineJobs(engine);
    },
    close: () => engine.close(),
  };
}

/**
 * The shell as a client. Ctrl-C sends `KILL QUERY <id>` on a second connection, as the mysql client does: the first
 * one is busy waiting for the statement.
 */
export async function remoteTarget(options: RemoteOptions): Promise<ShellTarget> {
  // mysql2 is loaded only by the client mode; the embedded shell never needs it.
  const { connectRemote } = await import('../remote-session.ts');
  const target = await connectRemote(options);
  const idResult = await target.execute('SELECT CONNECTION_ID()').catch(() => null);
  const connectionId = idResult?.kind === 'rows' ? Number(idResult.rows[0]?.[0]) : NaN;
  return {
    mode: 'remote',
    where: `${options.host}:${options.port}`,
    execute: (sql) => target.execute(sql),
    ...(target.stream === undefined ? {} : { stream: target.stream }),
    interrupt: () => {
      if (!Number.isInteger(connectionId)) return;
      void killQuery(options, connectionId);
    },
    close: () => target.close(),
  };
}

async function killQuery(options: RemoteOptions, connectionId: number): Promise<void> {
  try {
    const { default: mysql } = await import('mysql2/promise');
    const c = await mysql.createConnection({ host: options.host, port: options.port, user: options.user, password: options.password });
    try {
      await c.query(`KILL QUERY ${connectionId}`);
    } finally {
      await c.end().catch(() => undefined);
    }
  } catch {
    // Best effort: if the server is unreachable the statement fails on its own.
  }
}
