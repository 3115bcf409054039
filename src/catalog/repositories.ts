import type { NewStoredRepository, RepositoryStore, StoredRepository } from '../repository/repository-store.ts';
import type { Catalog } from './catalog.ts';

interface Row {
  id: number;
  name: string;
  location: string;
  broker_name: string;
  read_only: number;
  sealed_config: string;
  create_time: number;
  last_ping_error: string | null;
  last_ping_time: number | null;
  settings: string;
}

const toStored = (r: Row): StoredRepository => ({
  id: r.id,
  name: r.name,
  location: r.location,
  brokerName: r.broker_name,
  readOnly: r.read_only === 1,
  sealedConfig: r.sealed_config,
  createTime: r.create_time,
  lastPingError: r.last_ping_error,
  lastPingTime: r.last_ping_time,
  settings: JSON.parse(r.settings) as Record<string, string>,
});

/** The `repositories` table (migration 0002) as the repository layer's RepositoryStore. Ids come from the catalog's global sequence. */
export class CatalogRepositoryStore implements RepositoryStore {
  readonly #catalog: Catalog;

  constructor(catalog: Catalog) {
    this.#catalog = catalog;
  }

  list(): StoredRepository[] {
    return this.#catalog.prepare<[], Row>('SELECT * FROM repositories ORDER BY id').all().map(toStored);
  }

  insert(repository: NewStoredRepository): StoredRepository {
    return this.#catalog.transaction(() => {
      const id = this.#catalog.nextId();
      this.#catalog
        .prepare(
          'INSERT INTO repositories (id, name, location, broker_name, read_only, sealed_config, create_time) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(id, repository.name, repository.location, repository.brokerName, repository.readOnly ? 1 : 0, repository.sealedConfig, repository.createTime);
      return { ...repository, id, lastPingError: null, lastPingTime: null };
    });
  }

  remove(name: string): boolean {
    return this.#catalog.prepare('DELETE FROM repositories WHERE name = ?').run(name).changes > 0;
  }

  updateSettings(name: string, settings: Readonly<Record<string, string>>): void {
    this.#catalog.prepare('UPDATE repositories SET settings = ? WHERE name = ?').run(JSON.stringify(settings), name);
  }

  updatePing(name: string, error: string | null, time: number): void {
    this.#catalog.prepare('UPDATE repositories SET last_ping_error = ?, last_ping_time = ? WHERE name = ?').run(error, time, name);
  }
}
