import type { Catalog } from '../catalog/catalog.ts';
import type { Logger } from '../logging/logger.ts';

/** What the storage modules share (built by TableStore; internal to src/storage). */
export interface StoreContext {
  /** The catalog. */
  readonly catalog: Catalog;
  /** The data directory (absolute). Everything the store touches is inside it. */
  readonly root: string;
  /** This data dir's identity (see identity.ts); backend directories whose OWNER names another are never swept. */
  readonly identity: string;
  /** Absolute directory of each backend, by backend id (resolved from the catalog's relative paths). */
  readonly backendDirs: ReadonlyMap<number, string>;
  /** Component logger. */
  readonly logger: Logger;
  /**
   * Take a hold: while any hold is open, garbage collection (superseded rowsets, dropped tablets) waits, so a
   * scan, pin or snapshot can still open the files of the version it resolved. Returns the release function.
   */
  hold(): () => void;
  /** Ask for garbage collection (runs now if nothing is held, else when the last hold is released). */
  requestGc(): void;
}

export function backendDir(ctx: StoreContext, backendId: number): string {
  const dir = ctx.backendDirs.get(backendId);
  if (dir === undefined) throw new Error(`storage: unknown backend ${backendId}`);
  return dir;
}
