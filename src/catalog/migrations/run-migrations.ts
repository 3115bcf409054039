import type Database from 'better-sqlite3';
import type { Migration } from './migration.ts';
import { MIGRATIONS } from './index.ts';

/**
 * Bring the schema to the newest version (graphile-worker style): `PRAGMA user_version` records how many migrations
 * ran; each pending one runs in its own immediate transaction together with the user_version bump, so a crash
 * leaves the database at a whole step. A database newer than this code is refused rather than misread.
 */
export function runMigrations(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  migrations.forEach((m, i) => {
    if (m.id !== i + 1) throw new Error(`migration registry out of order: position ${i + 1} holds ${m.id}-${m.name}`);
  });
  const readVersion = (): number => db.pragma('user_version', { simple: true }) as number;
  const initial = readVersion();
  if (initial > migrations.length) {
    throw new Error(
      `catalog schema version ${initial} is newer than this tablevault (knows ${migrations.length}); upgrade tablevault`,
    );
  }
  for (const migration of migrations.slice(initial)) {
    db.transaction(() => {
      // Re-check under the write lock: another process may have migrated meanwhile.
      if (readVersion() >= migration.id) return;
      migration.up(db);
      db.pragma(`user_version = ${migration.id}`);
    }).immediate();
  }
  return readVersion();
}
