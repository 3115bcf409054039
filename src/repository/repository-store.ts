/**
 * Persistence of the repositories this instance knows (CREATE REPOSITORY survives restarts). Implemented on the
 * catalog by src/catalog/repositories.ts; defined here so the repository layer does not depend on the catalog.
 */
export interface StoredRepository {
  /** Repository id (the catalog's id sequence). */
  readonly id: number;
  /** Name, case-sensitive, unique. */
  readonly name: string;
  /** Location for display: trailing `/` stripped, anything secret-looking removed. */
  readonly location: string;
  /** Broker name as written in `WITH BROKER <name>`, '' when none. */
  readonly brokerName: string;
  /** CREATE READ ONLY REPOSITORY. */
  readonly readOnly: boolean;
  /** Location and properties, sealed by SecretBox (they may hold credentials). */
  readonly sealedConfig: string;
  /** Create time (ms), as adopted from `__repo_info`. */
  readonly createTime: number;
  /** Error of the last ping, null when it succeeded or none ran yet. */
  readonly lastPingError: string | null;
  /** Time of the last ping (ms), null when none ran yet. */
  readonly lastPingTime: number | null;
  /** Lifecycle settings (ALTER REPOSITORY … SET PROPERTIES), key → text; absent = none set. */
  readonly settings?: Readonly<Record<string, string>>;
}

export type NewStoredRepository = Omit<StoredRepository, 'id' | 'lastPingError' | 'lastPingTime'>;

export interface RepositoryStore {
  /** Every stored repository, by id. */
  list(): StoredRepository[];
  /** Insert; assigns the id. Throws if the name exists. */
  insert(repository: NewStoredRepository): StoredRepository;
  /** Delete by name; false when there was none. */
  remove(name: string): boolean;
  /** Record a ping outcome. */
  updatePing(name: string, error: string | null, time: number): void;
  /** Replace the lifecycle settings. */
  updateSettings(name: string, settings: Readonly<Record<string, string>>): void;
}
