/**
 * The public facade. The MySQL server, the shell and library users all go through Engine and Session, so the three
 * doors behave alike. Signatures are fixed by DESIGN.md §4.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createLogger, type Logger } from './logging/logger.ts';
import type { EngineServices, EngineStats, SessionDirectory, SessionState } from './sql/context.ts';
import type { StatementResult } from './sql/result.ts';
import type { RowStream, StreamedResult } from './sql/row-stream.ts';
import { EngineSession } from './sql/session.ts';
import { GlobalVariables } from './sql/variables/index.ts';
import { TableStore } from './storage/index.ts';
import { systemClock, type Clock } from './util/clock.ts';
import { KeyedMutex } from './util/keyed-mutex.ts';
import { lockDirectory, type DirectoryLock } from './util/dir-lock.ts';
import { AccessControl } from './sql/privileges/access-control.ts';
import { rootPasswordIsEmpty, setRootPassword, startupRootPassword } from './sql/privileges/root-password.ts';
import { CatalogRepositoryStore } from './catalog/repositories.ts';
import type { Broker } from './brokers/broker.ts';
import { hasLiveJobOnRepo } from './catalog/jobs-read.ts';
import type { JobRow } from './catalog/jobs-types.ts';
import { RepositoryManager } from './repository/repository-manager.ts';
import { SECRET_KEY_FILE_NAME, SecretBox } from './repository/secret-box.ts';
import { forgetClusterId } from './jobs/backup-info.ts';
import { backupDriver } from './jobs/backup-job.ts';
import { createBackupSteps, type BackupStepsHandle } from './jobs/backup-steps.ts';
import { restoreDriver } from './jobs/restore-job.ts';
import { keptSnapshotDirs, pruneLocalSnapshots } from './jobs/local-snapshots.ts';
import { createRestoreSteps } from './jobs/restore-steps.ts';
import type { JobDriver } from './jobs/driver.ts';
import type { JobEvents, ProgressEvent } from './jobs/progress.ts';
import { JobScheduler } from './jobs/scheduler.ts';
import { ShutdownRequests } from './sql/shutdown-requests.ts';
import type { PreparedColumn } from './sql/prepared/prepared-statement.ts';
import type { ParameterValue } from './sql/prepared/parameters.ts';
import { SnapshotExpiry, type ExpiryRound } from './jobs/snapshot-expiry.ts';
import { copyDriver } from './jobs/copy/copy-job.ts';
import { verifyDriver } from './jobs/verify/verify-job.ts';
import { VerifySteps } from './jobs/verify/verify-steps.ts';
import { submitScratchRestore } from './sql/restore/scratch-restore.ts';
import { CopySteps } from './jobs/copy/copy-steps.ts';
import { copyReadsFrom } from './jobs/copy/submit-copy.ts';
import { ScheduleRunner, type ScheduleEventsSource } from './jobs/schedules/schedule-runner.ts';
import { createScheduleActions } from './sql/schedules/actions.ts';
import { createEngineMetrics, type EngineMetrics } from './jobs/metrics.ts';

export interface EngineOptions {
  /** Directory holding the catalog and the backends' data. Created if missing. */
  readonly dataDir: string;
  /** Number of backends (storage nodes) on first open; default 3. Later opens use what the data dir has. */
  readonly backends?: number;
  /** Root logger; defaults to a pino logger on stderr. */
  readonly logger?: Logger;
  /** Time source; defaults to the system clock. */
  readonly clock?: Clock;
  /**
   * Storage adapter factory for repositories (default: src/brokers' openBroker). For embedding custom storage and
   * for tests that wrap a real adapter (e.g. FaultInjectingBroker).
   */
  readonly openBroker?: (location: string, properties: Readonly<Record<string, string>>) => Promise<Broker>;
  /**
   * Set root's password at open (stored as MySQL's double SHA1). Default: env TABLEVAULT_ROOT_PASSWORD if set,
   * else root keeps its stored password (empty on a new data dir).
   */
  readonly rootPassword?: string;
  /** Time between rounds of the snapshot expiry task (TTL), in the clock's time; default 10 minutes. */
  readonly snapshotExpiryIntervalMs?: number;
  /**
   * Fire backup schedules when they come due (default true). `tablevault sql` on a data dir passes false: a shell that
   * exits after its statements would interrupt the backups it fired. EXECUTE BACKUP SCHEDULE runs either way.
   */
  readonly fireSchedules?: boolean;
}

export interface SessionOptions {
  /** Authenticated user name; default `root`. */
  readonly user?: string;
  /** Client host as seen by the server; default `localhost`. */
  readonly host?: string;
  /** Current database. */
  readonly database?: string;
  /** Connection id shown by SHOW PROCESSLIST and used by KILL; assigned by the engine when absent. */
  readonly connectionId?: number;
}

/** A user's conversation with the engine: current database, variables, identity. Not safe for concurrent use. */
export interface Session {
  readonly connectionId: number;
  readonly user: string;
  readonly host: string;
  /** Current database (USE), or undefined. */
  readonly database: string | undefined;
  /** Execute one or more `;`-separated statements; resolves to the last statement's result. */
  execute(sql: string): Promise<StatementResult>;
  /** Execute `;`-separated statements one by one, yielding each result; stops (throws SqlError) at the first error. */
  executeScript(sql: string): AsyncGenerator<StatementResult, void, void>;
  /**
   * Like `execute`, but a result set comes back unread, as a {@link RowStream}: its rows are produced while you
   * iterate (`for await (const row of result)`), so a result of any size takes the memory of one batch. Leaving the
   * loop early or `close()` stops the query; the session's next statement closes a stream left unread.
   */
  stream(sql: string): Promise<StreamedResult>;
  /** Like `executeScript`, streaming each result set (the next statement runs once the previous stream is done). */
  streamScript(sql: string): AsyncGenerator<StreamedResult, void, void>;
  /** Change the current database (COM_INIT_DB); throws SqlError 1049 if it does not exist. */
  useDatabase(name: string): void;
  /** Interrupt the statement running now, if any (KILL QUERY). */
  interrupt(): void;
  /** Run `listener` when KILL CONNECTION targets this session (the server closes its socket). */
  onKill(listener: () => void): void;
  /**
   * Prepare one statement with `?` parameter markers (the binary protocol's COM_STMT_PREPARE): parsed now, a SELECT's
   * result columns known now, run as often as needed with different values.
   */
  prepare(sql: string): Promise<PreparedQuery>;
  /** A system variable as this session sees it (`@@name`), e.g. character_set_client for the server's decoding. */
  systemVariable(name: string): bigint | string | null;
  /** `SET NAMES charset` without a statement: the handshake's character set. */
  setNames(charset: string): void;
  /**
   * A transaction is open / autocommit is on: the IN_TRANS and AUTOCOMMIT status flags of OK and EOF packets.
   * (Optional so other Session implementations, e.g. test doubles, need not have one: absent reads as autocommit.)
   */
  readonly transactionStatus?: { readonly inTransaction: boolean; readonly autocommit: boolean };
  /** Forget the session (connection closed): its open transaction is rolled back. Jobs it started keep running. */
  close(): void;
  /** max_allowed_packet of this session in bytes: the server refuses larger client packets with 1153. */
  readonly maxAllowedPacket?: number;
}

/** A statement prepared by a session: parse once, execute with different parameter values. */
export interface PreparedQuery {
  /** The text as prepared, with its `?` markers. */
  readonly text: string;
  /** How many values each execution takes. */
  readonly parameterCount: number;
  /** Result columns known before running (a SELECT's); empty otherwise. */
  readonly columns: readonly PreparedColumn[];
  /** Run with `values` (one per marker, in order); resolves to the result. Errors are SqlErrors (1210: wrong count). */
  execute(values: readonly ParameterValue[]): Promise<StatementResult>;
  /**
   * The same, as a one-result sequence shaped like streamScript's (what the server writes): a result set comes as a
   * RowStream, read batch by batch; the statement runs until the stream is finished or closed.
   */
  results(values: readonly ParameterValue[]): AsyncGenerator<StreamedResult, void, void>;
  /**
   * Run with `values` for a read-only cursor (COM_STMT_EXECUTE with a cursor): the statement ends here (running
   * statement, timeouts, SHOW WARNINGS), its rows are read later from the returned stream, which the session's next
   * statements do not close. The caller must close it.
   */
  cursor(values: readonly ParameterValue[]): Promise<StreamedResult>;
}

/** Read access to background jobs (BACKUP / RESTORE), for progress bars and library callers. */
export interface EngineJobs {
  /** Progress events of one job until it is done (the last one has `done: true`). */
  watch(jobId: number, options?: { signal?: AbortSignal }): AsyncGenerator<ProgressEvent>;
  /** Resolves with the job's final row (FINISHED or CANCELLED). */
  waitForJob(jobId: number, options?: { signal?: AbortSignal }): Promise<JobRow>;
  /** Progress / state / done events of every job. */
  readonly events: JobEvents;
}

export class Engine {
  readonly #services: EngineServices;
  /** Set by open(); releases version pins of interrupted backups at close. */
  #backupSteps: BackupStepsHandle | undefined;
  #expiry: SnapshotExpiry | undefined;
  /** Set by open(); subscribed to job ends from before recovery, so resumed jobs that end are observed too. */
  #metrics: (EngineMetrics & { dispose(): void }) | undefined;
  readonly #lock: DirectoryLock;
  readonly #sessions: Map<number, EngineSession>;
  #nextConnectionId = 1;
  #closed = false;

  private constructor(services: EngineServices, lock: DirectoryLock, sessions: Map<number, EngineSession>) {
    this.#services = services;
    this.#sessions = sessions;
    this.#lock = lock;
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const dataDir = path.resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    const lock = lockDirectory(dataDir);
    try {
      const clock = options.clock ?? systemClock;
      // A library caller gets warnings and errors only; the server passes its own info-level logger.
      const logger = options.logger ?? createLogger({ level: process.env['TABLEVAULT_LOG_LEVEL'] ?? (process.env['VITEST'] ? 'silent' : 'warn') });
      // A copy of another data dir is another instance: it gets its own cluster id (who owns which snapshot).
      const store = await TableStore.open(dataDir, { backends: options.backends ?? 3, logger, clock, onCopy: forgetClusterId });
      const catalog = store.catalog;
      const stats: EngineStats = { startedAt: clock.now(), questions: 0, connections: 0 };
      // The directory reads the engine's live sessions; the map exists before the engine that owns it.
      const live = new Map<number, EngineSession>();
      const sessions: SessionDirectory = {
        list: () => [...live.values()].map((s) => s.state),
        get: (id) => live.get(id)?.state,
        kill: (id, queryOnly) => {
          const s = live.get(id);
          s?.kill(queryOnly);
          return s !== undefined;
        },
      };
      const secrets = await SecretBox.open(path.join(dataDir, SECRET_KEY_FILE_NAME));
      const repositories = new RepositoryManager({
        store: new CatalogRepositoryStore(catalog), secrets, clock, logger, ...(options.openBroker ? { openBroker: options.openBroker } : {}),
      });
      const backupSteps = createBackupSteps({ store, repositories, catalog, logger, clock, dataDir });
      const drivers: JobDriver[] = [backupDriver(backupSteps)];
      drivers.push(restoreDriver(createRestoreSteps({ store, repositories, catalog, logger, clock, dataDir })));
      drivers.push(copyDriver(new CopySteps(repositories)));
      // VERIFY's restore mode submits a RESTORE job and waits for it: it reaches the scheduler made just below.
      let scheduler: JobScheduler | undefined;
      const jobsLate = (): JobScheduler => {
        if (scheduler === undefined) throw new Error('job scheduler is not open yet');
        return scheduler;
      };
      drivers.push(verifyDriver(new VerifySteps({
        catalog, repositories, jobs: jobsLate,
        submitRestore: (req, signal) => submitScratchRestore({ catalog, store, repositories, jobs: jobsLate() }, req, signal),
        dropDatabase: (name) => void store.dropDatabase(name, { ifExists: true }),
      })));
      const jobs = new JobScheduler({ catalog, logger, drivers, clock });
      scheduler = jobs;
      const metrics = createEngineMetrics({ catalog, clock, events: jobs.events });
      repositories.setInUseCheck((name) => hasLiveJobOnRepo(catalog, name) || copyReadsFrom(catalog, name));
      // Resume interrupted jobs; before they start, release every local snapshot no live job owns (left by a crash
      // or kill) — once started, a job re-running PENDING makes snapshots this sweep must not take for leftovers.
      await jobs.recover({
        beforeStart: async (ownedDirs) => {
          // Kept local snapshots (keep_local_snapshots) are owned by their rows; those of dropped tables go now.
          await pruneLocalSnapshots({ catalog, store, dataDir, logger });
          const owned = new Set([...ownedDirs, ...keptSnapshotDirs(catalog, dataDir)]);
          for (const s of await store.listSnapshots()) if (!owned.has(s.dir)) await store.releaseSnapshot(s.dir);
        },
      });
      repositories.start();
      const expiry = new SnapshotExpiry(
        {
          catalog, repositories, dataDir, logger, clock,
          withSubmitLock: (fn) => jobs.withSubmitLock(fn),
          repositoryNames: () => repositories.list().map((r) => r.name),
          settingsOf: (name) => repositories.settings(name),
          isReadOnly: (name) => repositories.info(name)?.readOnly ?? true,
        },
        options.snapshotExpiryIntervalMs,
      );
      expiry.start();
      const access = new AccessControl(catalog);
      const rootPassword = startupRootPassword(options.rootPassword);
      if (rootPassword !== undefined) setRootPassword(catalog, access, rootPassword);
      // The runner submits scheduled BACKUPs through sessions of the engine it belongs to (services exist below).
      let engine: Engine | undefined;
      const schedules = new ScheduleRunner({
        catalog, clock, logger, jobs, fire: options.fireSchedules ?? true,
        actions: createScheduleActions(() => services, () => (engine as Engine).nextConnectionId()),
      });
      const services: EngineServices = {
        dataDir, catalog, store, clock, logger, sessions, globals: new GlobalVariables(), stats, tableLocks: new KeyedMutex(),
        repositories, jobs, access, shutdownRequests: new ShutdownRequests(), schedules,
      };
      engine = new Engine(services, lock, live);
      // After job recovery: runs a previous process left half-way find their jobs resumed or cancelled.
      schedules.start();
      engine.#backupSteps = backupSteps;
      engine.#expiry = expiry;
      engine.#metrics = metrics;
      logger.info({ dataDir }, 'engine opened');
      return engine;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /** A new connection id, unique for the life of this engine (MySQL thread-id semantics). */
  nextConnectionId(): number {
    return this.#nextConnectionId++;
  }

  session(options: SessionOptions = {}): Session {
    const connectionId = options.connectionId ?? this.nextConnectionId();
    if (options.connectionId !== undefined && connectionId >= this.#nextConnectionId) this.#nextConnectionId = connectionId + 1;
    const session = new EngineSession(
      this.#services,
      { connectionId, user: options.user ?? 'root', host: options.host ?? 'localhost', database: options.database },
      () => this.#sessions.delete(connectionId),
    );
    this.#sessions.set(connectionId, session);
    this.#services.stats.connections++;
    return session;
  }

  /** Background jobs: watch progress, wait for completion (the shell's progress bar uses this). */
  get jobs(): EngineJobs {
    return this.#services.jobs;
  }

  /**
   * mysql_native_password login check for the server's handshake: the account matching (user, client host) must
   * exist and `authToken` must prove its password against `scramble` (20 bytes). False for an unknown user or a wrong
   * password; throws SqlError 1045 (with how to fix it) when the password is right but blank (empty or whitespace)
   * and the client is not on this machine: such accounts log in from loopback only.
   */
  authenticate(user: string, host: string, scramble: Buffer, authToken: Buffer): boolean {
    return this.#services.access.authenticate(user, host, scramble, authToken);
  }

  /** Whether root has no real password, empty or whitespace (serve refuses to listen beyond loopback then). */
  rootPasswordIsEmpty(): boolean {
    return rootPasswordIsEmpty(this.#services.access);
  }

  /**
   * Run `listener` when a SHUTDOWN statement (or COM_SHUTDOWN) asks the server serving this engine to stop. The
   * server registers when it starts; returns the unsubscribe function.
   */
  onShutdownRequest(listener: (who: string) => void): () => void {
    return this.#services.shutdownRequests.listen(listener);
  }

  /**
   * Run a round of the snapshot expiry task now (it also runs every `snapshotExpiryIntervalMs`): drop expired
   * snapshots this instance wrote, finish interrupted drops, delete unreferenced shared objects.
   */
  expireSnapshots(): Promise<ExpiryRound> {
    if (this.#expiry === undefined) throw new Error('engine is not open');
    return this.#expiry.runOnce();
  }

  /** Backup schedules: run events, and `idle()` to wait until no scheduled run is in progress. */
  get schedules(): ScheduleEventsSource {
    return this.#services.schedules;
  }

  /** OpenMetrics of jobs and backups (what `tablevault serve --metrics-port` serves). */
  get metrics(): EngineMetrics {
    return this.#metrics as EngineMetrics;
  }

  /** Live sessions (for tools and tests). */
  get sessions(): readonly SessionState[] {
    return this.#services.sessions.list();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of [...this.#sessions.values()]) s.close();
    await this.#expiry?.stop();
    await this.#services.schedules.close();
    await this.#services.jobs.close();
    this.#metrics?.dispose();
    this.#backupSteps?.releasePins();
    await this.#services.repositories.close();
    await this.#services.store.close();
    this.#lock.release();
    this.#services.logger.info('engine closed');
  }
}
