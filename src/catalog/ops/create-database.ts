import type { Catalog } from '../catalog.ts';
import type { Database } from '../model.ts';
import { sqlError } from '../../errors/index.ts';
import { toDatabase, type DatabaseRow } from '../rows.ts';

export interface CreateDatabaseOptions {
  /** Return the existing database instead of failing (CREATE DATABASE IF NOT EXISTS). */
  readonly ifNotExists?: boolean;
  /** Database properties. */
  readonly properties?: Readonly<Record<string, string>>;
}

/** CREATE DATABASE. Names are case-sensitive. Fails with 1007 when it exists. */
export function createDatabase(catalog: Catalog, name: string, options: CreateDatabaseOptions = {}): Database {
  return catalog.transaction(() => {
    const existing = catalog.prepare<[string], DatabaseRow>('SELECT * FROM databases WHERE name = ?').get(name);
    if (existing !== undefined) {
      if (options.ifNotExists === true) return toDatabase(existing);
      throw sqlError('ER_DB_CREATE_EXISTS', `Can't create database '${name}'; database exists`);
    }
    const id = catalog.nextId();
    catalog
      .prepare('INSERT INTO databases (id, name, properties, created_at) VALUES (?, ?, ?, ?)')
      .run(id, name, JSON.stringify(options.properties ?? {}), catalog.clock.now());
    return toDatabase(catalog.prepare<[number], DatabaseRow>('SELECT * FROM databases WHERE id = ?').get(id)!);
  });
}
