import type { BackupJobInfo } from '../repository/job-info.ts';
import { readRepositoryIndex } from '../repository/repository-index.ts';
import { fromBrokerError } from '../repository/repository-error.ts';
import type { Repository } from '../repository/repository.ts';
import { decodeChecksummedName } from '../repository/layout.ts';
import { JobStatusError } from './status.ts';

/**
 * Where RESTORE reads the files an incremental snapshot references (info file `tablevault.references`): the key
 * recorded at backup when it still holds the content with the recorded size, else the shared object area's key for
 * the content (where DROP SNAPSHOT moves files other snapshots still reference). One listing of the repository;
 * nothing when the snapshot has no references. A reference that resolves nowhere fails the job before anything is
 * created, naming the file and where it was expected.
 */
export async function resolveReferences(
  repo: Repository,
  label: string,
  info: BackupJobInfo,
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const refs = info.extension?.references;
  if (refs === undefined || Object.keys(refs).length === 0) return out;
  let index;
  try {
    index = await readRepositoryIndex(repo, { signal, labels: [] });
  } catch (error) {
    throw fromBrokerError(error);
  }
  for (const [tablet, files] of Object.entries(refs)) {
    for (const [stored, key] of Object.entries(files)) {
      const decoded = decodeChecksummedName(stored);
      const size = info.extension?.fileSizes[tablet]?.[stored] ?? -1;
      if (decoded === null) throw new JobStatusError('BAD_FILE', `file name should contains checksum: ${stored}`);
      const at = index.resolve({ key, md5: decoded.md5, size });
      if (at === null) {
        throw new JobStatusError(
          'NOT_FOUND',
          `file ${stored} of tablet ${tablet} of snapshot ${label} is referenced at ${repo.fullPath(key)} but the repository holds it nowhere (neither there nor in the shared object area); restore another snapshot, and run VERIFY SNAPSHOT to see what else is missing`,
        );
      }
      out.set(`${tablet}/${stored}`, at);
    }
  }
  return out;
}
