import type { Broker, BrokerEntry } from '../brokers/broker.ts';
import { repoInfoKey, repositoryRoot, type RepositoryPrefix } from './layout.ts';
import { RepositoryError } from './repository-error.ts';
import { collect, parseDateTime, readAll } from './repository-types.ts';

/** The create time recorded in `<prefix><name>/__repo_info`, or null when there is none (StarRocks initRepositoryInternal). */
export async function readRepoInfo(broker: Broker, name: string, prefix: RepositoryPrefix, signal?: AbortSignal): Promise<number | null> {
  const key = `${repositoryRoot(name, prefix)}/${repoInfoKey()}`;
  const entries = await collect(broker.list(key, { signal }));
  if (entries.length === 0) return null;
  if (entries.length > 1) {
    const names = entries.map((e) => `${broker.location.replace(/\/+$/, '')}/${e.key}`);
    throw new RepositoryError('COMMON_ERROR', `Invalid repository dir. expected one repo info file. get more: [${names.join(', ')}]`);
  }
  const entry = entries[0] as BrokerEntry;
  if (entry.isDirectory) throw new RepositoryError('COMMON_ERROR', 'the existing repo info is not a file');
  let parsed: unknown;
  try {
    parsed = JSON.parse((await readAll(await broker.read(entry.key, { signal }))).toString('utf8'));
  } catch (error) {
    if (error instanceof SyntaxError) throw new RepositoryError('COMMON_ERROR', `failed to read repo info file: ${error.message}`);
    throw error;
  }
  const createTimeText = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['create_time'] : undefined;
  const createTime = parseDateTime(createTimeText);
  if (createTime === -1) {
    throw new RepositoryError('COMMON_ERROR', `failed to parse create time of repository: ${String(createTimeText)}`);
  }
  return createTime;
}
