/**
 * Prefix listing of a local directory tree, in the global key byte order every adapter lists in (tree-walk.ts).
 *
 * A recursive listing reads each subtree below the prefix's directory in one fs-pool call (readdir and stat run
 * synchronously on a pool thread): directory by directory through the event loop, a repository of a few thousand
 * files took ~5× as long, and an incremental BACKUP lists its repository once per job.
 */
import type { BrokerEntry, ListOptions } from '../broker.ts';
import { joinKey, splitPrefix } from '../keys.ts';
import { throwIfAborted } from '../streams.ts';
import { walkTree, type TreeChild } from '../tree-walk.ts';
import { fsPool, unwrap, type TreeListing } from '../../util/fs-pool.ts';
import { mapLocalError, readDirectory } from './local-files.ts';

/** Entries under `prefix`; `pathOf` maps a key to its absolute path. */
export function listLocal(pathOf: (key: string) => string, prefix: string, options?: ListOptions): AsyncIterable<BrokerEntry> {
  const signal = options?.signal;
  const recursive = options?.recursive === true;
  const { dir: top } = splitPrefix(prefix);
  const subtrees = new Map<string, readonly TreeChild[]>();
  const listDirectory = async (dirKey: string): Promise<readonly TreeChild[] | null> => {
    throwIfAborted(signal, prefix);
    const known = subtrees.get(dirKey);
    if (known !== undefined) {
      subtrees.delete(dirKey);
      return known;
    }
    try {
      // The prefix's own directory is read alone: its children are filtered by the prefix's last segment, and only
      // the matching subtrees are read whole.
      if (!recursive || dirKey === top) return await readDirectory(pathOf(dirKey));
      const tree = unwrap<TreeListing | null>((await fsPool().run([{ op: 'tree', path: pathOf(dirKey) }], signal === undefined ? {} : { signal }))[0]);
      if (tree === null) return null;
      for (const [rel, children] of tree) {
        subtrees.set(rel === '' ? dirKey : joinKey(dirKey, rel), children.map((c) => ({ name: c.name, isDirectory: c.isDirectory, size: c.size, modifiedAt: new Date(c.mtimeMs) })));
      }
      return listDirectory(dirKey);
    } catch (error) {
      throw mapLocalError(error, prefix, 'read', signal);
    }
  };
  return walkTree(listDirectory, prefix, recursive, options?.includeTemp === true);
}
