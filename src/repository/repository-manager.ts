import type { Broker } from '../brokers/broker.ts';
import { openBroker as defaultOpenBroker } from '../brokers/open-broker.ts';
import { safeLocationText } from '../brokers/location.ts';
import { analysisError, ddlError } from '../errors/index.ts';
import type { Logger } from '../logging/logger.ts';
import { formatDateTime, systemClock, type Clock } from '../util/clock.ts';
import { Repository, type RepositoryOptions } from './repository.ts';
import { fromBrokerError } from './repository-error.ts';
import type { RepositoryStore, StoredRepository } from './repository-store.ts';
import type { SecretBox } from './secret-box.ts';

/** StarRocks' FeNameFormat.COMMON_NAME_REGEX, which repository names must match. */
export const REPOSITORY_NAME_REGEX = /^[a-zA-Z]\w{0,63}$|^_[a-zA-Z0-9]\w{0,62}$/;

/** SHOW REPOSITORIES columns, in order. */
export const SHOW_REPOSITORIES_COLUMNS = ['RepoId', 'RepoName', 'CreateTime', 'IsReadOnly', 'Location', 'Broker', 'ErrMsg'] as const;

/** StarRocks' repository daemon pings every 10 minutes. */
export const DEFAULT_PING_INTERVAL_MS = 10 * 60 * 1000;

export interface CreateRepositoryRequest {
  /** Repository name. */
  readonly name: string;
  /** `ON LOCATION '…'`. */
  readonly location: string;
  /** `WITH BROKER <name>`: undefined/null/'' for `WITH BROKER` alone (brokerless). */
  readonly brokerName?: string | null;
  /** `CREATE READ ONLY REPOSITORY`. */
  readonly readOnly?: boolean;
  /** `PROPERTIES (…)` — may hold credentials: stored sealed, never shown or logged. */
  readonly properties?: Readonly<Record<string, string>>;
  /** Cancels the remote handshake. */
  readonly signal?: AbortSignal;
}

/** What SHOW REPOSITORIES and callers may see of a repository (never its properties). */
export interface RepositoryInfo {
  readonly id: number;
  readonly name: string;
  readonly createTime: number;
  readonly readOnly: boolean;
  /** Display location (trailing `/` stripped, secret-free). */
  readonly location: string;
  /** Broker name, '' when brokerless. */
  readonly brokerName: string;
  /** `<yyyy-MM-dd HH:mm:ss>: <error>` of the last failed ping, null when the last ping succeeded. */
  readonly errMsg: string | null;
}

export interface RepositoryManagerOptions {
  /** Where repositories persist (the catalog). */
  readonly store: RepositoryStore;
  /** Seals location + properties at rest. */
  readonly secrets: SecretBox;
  /** Broker factory; defaults to src/brokers' openBroker. */
  readonly openBroker?: (location: string, properties: Readonly<Record<string, string>>) => Promise<Broker>;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Ping interval of start(); default 10 minutes. */
  readonly pingIntervalMs?: number;
  /**
   * Broker names `WITH BROKER <name>` accepts. Undefined (default): any name is accepted and only displayed, since
   * every storage kind is served in-process. When given, other names fail with `broker does not exist: <name>`.
   */
  readonly knownBrokers?: readonly string[];
  /** Whether an unfinished BACKUP/RESTORE uses the repository (DROP REPOSITORY refuses then); see setInUseCheck. */
  readonly isInUse?: (name: string) => boolean;
  /** Label reservation timing of every repository (tests shorten it); see label-reservation.ts. */
  readonly labelReservation?: RepositoryOptions['labelReservation'];
}

interface SealedConfig {
  readonly location: string;
  readonly properties: Readonly<Record<string, string>>;
}

interface Entry {
  row: StoredRepository;
  /** Connected repository, created lazily (after a restart, at first use). */
  repository: Promise<Repository> | undefined;
  broker: Broker | undefined;
}

/**
 * The repositories this instance knows: CREATE / DROP / SHOW REPOSITORIES with StarRocks' messages, persistence in
 * the catalog (credentials sealed), lazy reconnection after a restart and the periodic ping behind ErrMsg.
 */
export class RepositoryManager {
  readonly #store: RepositoryStore;
  readonly #secrets: SecretBox;
  readonly #openBroker: (location: string, properties: Readonly<Record<string, string>>) => Promise<Broker>;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #pingIntervalMs: number;
  readonly #knownBrokers: readonly string[] | undefined;
  #isInUse: (name: string) => boolean;
  readonly #labelReservation: RepositoryOptions['labelReservation'];
  readonly #entries = new Map<string, Entry>();
  /** Names being created right now: a concurrent CREATE of the same name is a duplicate. */
  readonly #creating = new Set<string>();
  #pinger: { controller: AbortController; done: Promise<void> } | undefined;

  constructor(options: RepositoryManagerOptions) {
    this.#store = options.store;
    this.#secrets = options.secrets;
    this.#logger = options.logger?.child({ component: 'repository-manager' });
    const brokerLogger = options.logger;
    this.#openBroker = options.openBroker ?? ((location, properties) => defaultOpenBroker(location, properties, brokerLogger ? { logger: brokerLogger } : {}));
    this.#clock = options.clock ?? systemClock;
    this.#pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    this.#knownBrokers = options.knownBrokers;
    this.#isInUse = options.isInUse ?? (() => false);
    this.#labelReservation = options.labelReservation;
    for (const row of this.#store.list()) this.#entries.set(row.name, { row, repository: undefined, broker: undefined });
  }

  /** The jobs layer registers its check once it exists (it is built after the manager). */
  setInUseCheck(isInUse: (name: string) => boolean): void {
    this.#isInUse = isInUse;
  }

  /** Is a repository of this name known? */
  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** Public facts of one repository, or undefined. */
  info(name: string): RepositoryInfo | undefined {
    const entry = this.#entries.get(name);
    return entry === undefined ? undefined : toInfo(entry.row);
  }

  /** Every repository, by id. */
  list(): RepositoryInfo[] {
    return [...this.#entries.values()].map((e) => toInfo(e.row)).sort((a, b) => a.id - b.id);
  }

  /** SHOW REPOSITORIES rows (7 columns, strings; NULL as null). */
  showRows(): (string | null)[][] {
    return this.list().map((r) => [String(r.id), r.name, formatDateTime(r.createTime), String(r.readOnly), r.location, r.brokerName, r.errMsg]);
  }

  /**
   * CREATE REPOSITORY. Validates (analysis errors), opens the broker, attaches to the remote directory (adopting an
   * existing repository's create_time) and persists. Nothing is persisted when any step fails.
   */
  async create(request: CreateRepositoryRequest): Promise<RepositoryInfo> {
    const { name } = request;
    if (name === '') throw analysisError('Repository does not empty');
    if (!REPOSITORY_NAME_REGEX.test(name)) throw analysisError(`Incorrect repository name '${name}'`);
    const location = request.location.replace(/\/+$/, '');
    if (location === '') throw analysisError('You must specify a location on the repository');
    const brokerName = request.brokerName ?? '';
    if (brokerName !== '' && this.#knownBrokers !== undefined && !this.#knownBrokers.includes(brokerName)) {
      throw ddlError(`broker does not exist: ${brokerName}`);
    }
    if (this.#entries.has(name) || this.#creating.has(name)) {
      throw ddlError(`Failed to create repository: repository with same name already exist: ${name}`);
    }
    const properties = request.properties ?? {};
    this.#creating.add(name);
    let broker: Broker | undefined;
    try {
      try {
        broker = await this.#openBroker(location, properties);
      } catch (error) {
        throw ddlError(`Failed to create repository: ${fromBrokerError(error).message}`);
      }
      let attached;
      try {
        attached = await Repository.attach(broker, name, {
          readOnly: request.readOnly ?? false,
          clock: this.#clock,
          ...(this.#labelReservation ? { labelReservation: this.#labelReservation } : {}),
          ...(this.#logger ? { logger: this.#logger } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
        });
      } catch (error) {
        throw ddlError(fromBrokerError(error).message);
      }
      const sealed: SealedConfig = { location, properties };
      const row = this.#store.insert({
        name,
        location: safeLocationText(location),
        brokerName,
        readOnly: request.readOnly ?? false,
        sealedConfig: this.#secrets.seal(JSON.stringify(sealed)),
        createTime: attached.createTime,
      });
      this.#entries.set(name, { row, repository: Promise.resolve(attached.repository), broker });
      broker = undefined; // owned by the entry now
      this.#logger?.info(
        { repository: name, location: row.location, broker: brokerName, readOnly: row.readOnly, reattached: attached.reattached },
        attached.created ? 'created repository' : attached.reattached ? 'attached repository to existing snapshots' : 'attached read-only repository (nothing written)',
      );
      return toInfo(row);
    } finally {
      this.#creating.delete(name);
      await broker?.close().catch(() => undefined);
    }
  }

  /** DROP REPOSITORY: forget it here. Remote data is never deleted. */
  async drop(name: string): Promise<void> {
    const entry = this.#entries.get(name);
    if (entry === undefined) throw analysisError('Repository does not exist');
    if (this.#isInUse(name)) throw ddlError('Backup or restore job is running on this repository. Can not drop it');
    try {
      this.#store.remove(name);
    } catch (error) {
      throw ddlError(`Failed to drop repository: ${(error as Error).message}`);
    }
    this.#entries.delete(name);
    await entry.broker?.close().catch(() => undefined);
    this.#logger?.info({ repository: name }, 'dropped repository (remote data kept)');
  }

  /**
   * The connected Repository (connecting on first use after a restart, without rewriting `__repo_info`). Unknown
   * name → `Repository <name> does not exist` (submit-time wording; the analyzer checks has() for its own).
   */
  async get(name: string): Promise<Repository> {
    const entry = this.#entries.get(name);
    if (entry === undefined) throw ddlError(`Repository ${name} does not exist`);
    if (entry.repository === undefined) {
      const connecting = this.#connect(entry);
      entry.repository = connecting;
      // A failed connection is not cached: the next use retries (the storage may be back).
      connecting.catch(() => {
        if (entry.repository === connecting) entry.repository = undefined;
      });
    }
    return entry.repository;
  }

  async #connect(entry: Entry): Promise<Repository> {
    const config = JSON.parse(this.#secrets.unseal(entry.row.sealedConfig)) as SealedConfig;
    let broker: Broker;
    try {
      broker = await this.#openBroker(config.location, config.properties);
    } catch (error) {
      throw fromBrokerError(error);
    }
    entry.broker = broker;
    return Repository.reopen(broker, entry.row.name, {
      readOnly: entry.row.readOnly,
      createTime: entry.row.createTime,
      clock: this.#clock,
      ...(this.#labelReservation ? { labelReservation: this.#labelReservation } : {}),
      ...(this.#logger ? { logger: this.#logger } : {}),
    });
  }

  /** Ping every repository now and record the outcomes (SHOW REPOSITORIES' ErrMsg). */
  async pingAll(signal?: AbortSignal): Promise<void> {
    for (const entry of [...this.#entries.values()]) {
      if (signal?.aborted) return;
      let error: string | null;
      try {
        error = await (await this.get(entry.row.name)).ping(signal);
      } catch (e) {
        error = (e as Error).message;
      }
      if (!this.#entries.has(entry.row.name)) continue; // dropped meanwhile
      const time = this.#clock.now();
      if (error !== null && entry.row.lastPingError === null) this.#logger?.warn({ repository: entry.row.name, error }, 'repository is unreachable');
      if (error === null && entry.row.lastPingError !== null) this.#logger?.info({ repository: entry.row.name }, 'repository is reachable again');
      this.#store.updatePing(entry.row.name, error, time);
      entry.row = { ...entry.row, lastPingError: error, lastPingTime: time };
    }
  }

  /** Start the periodic ping (every pingIntervalMs of the clock). Idempotent. */
  start(): void {
    if (this.#pinger !== undefined) return;
    const controller = new AbortController();
    const loop = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        try {
          await this.#clock.sleep(this.#pingIntervalMs, controller.signal);
          await this.pingAll(controller.signal);
        } catch (error) {
          if (controller.signal.aborted) return;
          this.#logger?.error({ err: error }, 'repository ping round failed');
        }
      }
    };
    this.#pinger = { controller, done: loop() };
  }

  /** Stop the periodic ping and wait for a round in progress to end. */
  async stop(): Promise<void> {
    const pinger = this.#pinger;
    if (pinger === undefined) return;
    this.#pinger = undefined;
    pinger.controller.abort();
    await pinger.done;
  }

  /** stop() and close every broker. */
  async close(): Promise<void> {
    await this.stop();
    for (const entry of this.#entries.values()) {
      await entry.broker?.close().catch(() => undefined);
      entry.broker = undefined;
      entry.repository = undefined;
    }
  }
}

function toInfo(row: StoredRepository): RepositoryInfo {
  return {
    id: row.id,
    name: row.name,
    createTime: row.createTime,
    readOnly: row.readOnly,
    location: row.location,
    brokerName: row.brokerName,
    errMsg: row.lastPingError === null || row.lastPingTime === null ? null : `${formatDateTime(row.lastPingTime)}: ${row.lastPingError}`,
  };
}
