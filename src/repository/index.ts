export * from './layout.ts';
export * from './job-info.ts';
export * from './backup-meta.ts';
export { Repository, parseDateTime, type AttachResult, type RemoteTabletFile, type RepositoryOptions, type SnapshotDetailRow, type SnapshotInfoRow, type StoredFile, type TransferOptions } from './repository.ts';
export { RepositoryError, isRepositoryError, type RepositoryErrorCode } from './repository-error.ts';
export {
  DEFAULT_PING_INTERVAL_MS,
  REPOSITORY_NAME_REGEX,
  RepositoryManager,
  SHOW_REPOSITORIES_COLUMNS,
  type CreateRepositoryRequest,
  type RepositoryInfo,
  type RepositoryManagerOptions,
} from './repository-manager.ts';
export type { NewStoredRepository, RepositoryStore, StoredRepository } from './repository-store.ts';
export { SECRET_KEY_FILE_NAME, SecretBox } from './secret-box.ts';
export { md5Hex } from './md5.ts';
