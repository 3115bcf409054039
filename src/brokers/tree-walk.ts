import type { BrokerEntry } from './broker.ts';
import { compareKeys, isTempName, joinKey, splitPrefix, walkOrderName } from './keys.ts';

/**
 * Prefix listing for storages with real directories (local disk, HDFS): walk only the directories the prefix can
 * reach, and emit entries in the same global byte order an object store's listing has.
 */

/** One child of a directory, as the storage reports it. */
export interface TreeChild {
  /** Entry name inside its directory. */
  readonly name: string;
  /** Whether the child is a directory. */
  readonly isDirectory: boolean;
  /** Size in bytes (0 for directories). */
  readonly size: number;
  /** Modification time, when known. */
  readonly modifiedAt?: Date;
}

/** Children of directory `dirKey` (`''` is the root), or null when it is missing or not a directory. */
export type ListDirectory = (dirKey: string) => Promise<readonly TreeChild[] | null>;

/**
 * Entries under `prefix`, non-recursive (directories grouped) or recursive (files only), in key byte order. Temp
 * files of in-flight writes are hidden unless `includeTemp` (cleanup of a crashed writer's leftovers).
 */
export async function* walkTree(listDirectory: ListDirectory, prefix: string, recursive: boolean, includeTemp = false): AsyncGenerator<BrokerEntry> {
  const { dir, namePrefix } = splitPrefix(prefix);
  const children = await listDirectory(dir);
  if (children === null) return;
  for (const child of ordered(children.filter((c) => c.name.startsWith(namePrefix)), includeTemp)) {
    const key = joinKey(dir, child.name);
    if (!child.isDirectory) yield toEntry(key, child);
    else if (!recursive) yield toEntry(key, child);
    else yield* walkAll(listDirectory, key, includeTemp);
  }
}

async function* walkAll(listDirectory: ListDirectory, dirKey: string, includeTemp: boolean): AsyncGenerator<BrokerEntry> {
  const children = await listDirectory(dirKey);
  if (children === null) return; // removed while we walked: it has nothing left to list
  for (const child of ordered(children, includeTemp)) {
    const key = joinKey(dirKey, child.name);
    if (child.isDirectory) yield* walkAll(listDirectory, key, includeTemp);
    else yield toEntry(key, child);
  }
}

function ordered(children: readonly TreeChild[], includeTemp: boolean): TreeChild[] {
  return children
    .filter((c) => includeTemp || !isTempName(c.name))
    .map((c) => ({ child: c, sortName: walkOrderName(c.name, c.isDirectory) }))
    .sort((a, b) => compareKeys(a.sortName, b.sortName))
    .map((x) => x.child);
}

function toEntry(key: string, child: TreeChild): BrokerEntry {
  const base = { key, name: child.name, isDirectory: child.isDirectory, size: child.isDirectory ? 0 : child.size };
  return child.modifiedAt === undefined ? base : { ...base, modifiedAt: child.modifiedAt };
}
