import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addPartition, createDatabase, createTable, dropDatabase, dropPartition, dropTable, getDatabase, getPartition,
  getTable, getTablet, listBackends, listDatabases, listPartitions, listReplicas, listTables, listTablets,
  partitionStats, publishInvisible, readVisibleVersions, renameTable, setTableState, tabletStats,
} from '../../src/catalog/index.ts';
import { isSqlError } from '../../src/errors/index.ts';
import { col, firstPartition, insert, makeTable, openStore, type Fixture } from '../storage/helpers.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await openStore(3);
});
afterEach(async () => {
  await fx.close();
});

function errnoOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    if (isSqlError(error)) return error.errno;
    throw error;
  }
  return undefined;
}

describe('databases', () => {
  it('creates, lists, finds, refuses duplicates and drops (case-sensitive names)', () => {
    const c = fx.store.catalog;
    const a = createDatabase(c, 'Sales');
    expect(a.id).toBeGreaterThanOrEqual(10001);
    createDatabase(c, 'sales');
    expect(listDatabases(c).map((d) => d.name)).toEqual(['Sales', 'sales']);
    expect(getDatabase(c, 'Sales')?.id).toBe(a.id);
    expect(getDatabase(c, a.id)?.name).toBe('Sales');
    expect(getDatabase(c, 'SALES')).toBeUndefined();
    expect(errnoOf(() => createDatabase(c, 'Sales'))).toBe(1007);
    expect(createDatabase(c, 'Sales', { ifNotExists: true }).id).toBe(a.id);
    expect(dropDatabase(c, 'Sales')).toBe(true);
    expect(errnoOf(() => dropDatabase(c, 'Sales'))).toBe(1008);
    expect(dropDatabase(c, 'Sales', { ifExists: true })).toBe(false);
  });

  it('drop database removes its tables and queues their tablet directories', async () => {
    const t = makeTable(fx.store, 't', { dbName: 'gone' });
    await insert(fx.store, t.id, [[1, 1n]]);
    fx.store.dropDatabase('gone');
    await fx.store.collectGarbage();
    expect(getTable(fx.store.catalog, { id: t.id })).toBeUndefined();
    expect(fx.store.catalog.db.prepare('SELECT count(*) AS n FROM tablets').get()).toEqual({ n: 0 });
    expect(fx.store.catalog.db.prepare('SELECT count(*) AS n FROM trash').get()).toEqual({ n: 0 });
  });
});

describe('tables', () => {
  it('creates an unpartitioned table with one partition named like it, tablets and replicas', () => {
    const t = makeTable(fx.store, 'Orders', { buckets: 5 });
    expect(t.kind).toBe('OLAP');
    expect(t.visible).toBe(true);
    expect(t.state).toBe('NORMAL');
    expect(t.baseIndexId).toBe(t.id + 1);
    const parts = listPartitions(fx.store.catalog, t.id);
    expect(parts.map((p) => [p.name, p.visibleVersion, p.buckets, p.replicationNum])).toEqual([['Orders', 1, 5, 3]]);
    const tablets = listTablets(fx.store.catalog, { partitionId: parts[0]!.id });
    expect(tablets.map((x) => x.ordinal)).toEqual([0, 1, 2, 3, 4]);
    expect(tablets.every((x) => x.indexId === t.baseIndexId)).toBe(true);
    const loc = getTablet(fx.store.catalog, tablets[2]!.id)!;
    expect([loc.dbName, loc.tableName, loc.partitionName, loc.tableId]).toEqual(['db', 'Orders', 'Orders', t.id]);
    expect(getTablet(fx.store.catalog, 1)).toBeUndefined();
  });

  it('places each tablet on replication_num distinct backends, balanced', () => {
    const t = makeTable(fx.store, 't', { buckets: 7, replicationNum: 2 });
    const pid = firstPartition(fx.store, t.id);
    const replicas = listReplicas(fx.store.catalog, { partitionId: pid });
    expect(replicas).toHaveLength(14);
    for (const tablet of listTablets(fx.store.catalog, { partitionId: pid })) {
      const bes = replicas.filter((r) => r.tabletId === tablet.id).map((r) => r.backendId);
      expect(new Set(bes).size).toBe(2);
    }
    const per = listBackends(fx.store.catalog).map((b) => listReplicas(fx.store.catalog, { backendId: b.id }).length);
    expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
    // A second table keeps the balance across the catalog.
    makeTable(fx.store, 't2', { buckets: 1, replicationNum: 1 });
    const after = listBackends(fx.store.catalog).map((b) => listReplicas(fx.store.catalog, { backendId: b.id }).length);
    expect(Math.max(...after) - Math.min(...after)).toBeLessThanOrEqual(1);
  });

  it('replication_num above the backend count is a clear error and creates nothing', () => {
    let message = '';
    try {
      makeTable(fx.store, 'big', { replicationNum: 4 });
    } catch (error) {
      message = (error as Error).message;
      expect(isSqlError(error)).toBe(true);
    }
    expect(message).toMatch(/Table replication num should be less than or equal to the number of available BE nodes/);
    expect(message).toContain('replication_num=4');
    expect(message).toContain('alive backends=3');
    expect(getTable(fx.store.catalog, { dbId: getDatabase(fx.store.catalog, 'db')!.id, name: 'big' })).toBeUndefined();
    expect(fx.store.catalog.db.prepare('SELECT count(*) AS n FROM partitions').get()).toEqual({ n: 0 });
  });

  it('refuses duplicates (1050), is case-sensitive, renames and drops', () => {
    const c = fx.store.catalog;
    const t = makeTable(fx.store, 't');
    const dbId = t.dbId;
    expect(errnoOf(() => makeTable(fx.store, 't'))).toBe(1050);
    expect(makeTable(fx.store, 't', { extra: { ifNotExists: true } }).id).toBe(t.id);
    const T = makeTable(fx.store, 'T');
    expect(T.id).not.toBe(t.id);
    expect(errnoOf(() => renameTable(c, t.id, 'T'))).toBe(1050);
    renameTable(c, t.id, 'u');
    expect(getTable(c, { dbId, name: 'u' })?.id).toBe(t.id);
    expect(listPartitions(c, t.id)[0]!.name).toBe('u');
    expect(listTables(c, dbId).map((x) => x.name)).toEqual(['T', 'u']);
    dropTable(c, t.id);
    expect(getTable(c, { id: t.id })).toBeUndefined();
    expect(errnoOf(() => dropTable(c, t.id))).toBe(1051);
  });

  it('stores columns, key model, partition info, distribution and properties', () => {
    const c = fx.store.catalog;
    const db = createDatabase(c, 'x');
    const columns = [
      col('d', { name: 'DATE' }, { isKey: true, nullable: false, comment: 'day' }),
      col('amount', { name: 'DECIMAL', precision: 10, scale: 2 }, { aggregate: 'SUM', default: '0' }),
    ];
    const t = createTable(c, {
      dbId: db.id, name: 'agg', columns, keyModel: 'AGGREGATE', keyColumns: ['d'],
      partitionInfo: { kind: 'RANGE', columns: ['d'] },
      distribution: { kind: 'HASH', columns: ['d'], buckets: 2 },
      properties: { replication_num: '1' }, replicationNum: 1, comment: 'hi',
      partitions: [
        { name: 'p1', bounds: { kind: 'RANGE', lower: [{ kind: 'MINVALUE' }], upper: [{ kind: 'literal', value: '2024-01-01' }] } },
        { name: 'p2', bounds: { kind: 'RANGE', lower: [{ kind: 'literal', value: '2024-01-01' }], upper: [{ kind: 'MAXVALUE' }] }, buckets: 3 },
      ],
    });
    const back = getTable(c, { id: t.id })!;
    expect(back.columns).toEqual(columns.map((c, i) => ({ ...c, id: i + 1 })));
    expect(back.partitionInfo).toEqual({ kind: 'RANGE', columns: ['d'] });
    expect(back.properties).toEqual({ replication_num: '1' });
    expect(back.comment).toBe('hi');
    const parts = listPartitions(c, t.id);
    expect(parts.map((p) => [p.name, p.buckets])).toEqual([['p1', 2], ['p2', 3]]);
    expect(parts[1]!.bounds).toEqual({ kind: 'RANGE', lower: [{ kind: 'literal', value: '2024-01-01' }], upper: [{ kind: 'MAXVALUE' }] });
  });

  it('views have no partitions', () => {
    const c = fx.store.catalog;
    const db = createDatabase(c, 'v');
    const v = createTable(c, { dbId: db.id, name: 'v1', kind: 'VIEW', columns: [col('a', { name: 'INT' })], viewDefinition: 'SELECT 1 AS a' });
    expect(v.viewDefinition).toBe('SELECT 1 AS a');
    expect(listPartitions(c, v.id)).toEqual([]);
    expect(() => fx.store.beginLoad(v.id)).toThrow(/view/);
  });

  it('invisible tables are hidden until published atomically', () => {
    const c = fx.store.catalog;
    const t = makeTable(fx.store, 'restoring', { extra: { visible: false, state: 'RESTORE' } });
    expect(getTable(c, { dbId: t.dbId, name: 'restoring' })).toBeUndefined();
    expect(getTable(c, { dbId: t.dbId, name: 'restoring' }, { includeInvisible: true })?.id).toBe(t.id);
    expect(listTables(c, t.dbId)).toEqual([]);
    expect(listPartitions(c, t.id)).toEqual([]);
    expect(errnoOf(() => makeTable(fx.store, 'restoring'))).toBe(1050);
    expect(() => fx.store.beginLoad(t.id)).toThrow(/state is RESTORE/);
    publishInvisible(c, { tableIds: [t.id] });
    const back = getTable(c, { dbId: t.dbId, name: 'restoring' })!;
    expect([back.visible, back.state]).toEqual([true, 'NORMAL']);
    expect(listPartitions(c, t.id)).toHaveLength(1);
    setTableState(c, t.id, 'RESTORE');
    expect(getTable(c, { id: t.id })!.state).toBe('RESTORE');
  });
});

describe('partitions', () => {
  it('adds and drops partitions; duplicate names are 1517', () => {
    const c = fx.store.catalog;
    const t = makeTable(fx.store, 'lp', { extra: { partitionInfo: { kind: 'LIST', columns: ['k'] }, partitions: [{ name: 'p1', bounds: { kind: 'LIST', values: [['1'], ['2']] } }] } });
    const p2 = addPartition(c, t.id, { name: 'p2', bounds: { kind: 'LIST', values: [['3']] }, buckets: 2 });
    expect(p2.visibleVersion).toBe(1);
    expect(listTablets(c, { partitionId: p2.id })).toHaveLength(2);
    expect(errnoOf(() => addPartition(c, t.id, { name: 'p2', bounds: { kind: 'LIST', values: [['4']] } }))).toBe(1517);
    const hidden = addPartition(c, t.id, { name: 'p3', bounds: { kind: 'LIST', values: [['5']] }, visible: false });
    expect(listPartitions(c, t.id).map((p) => p.name)).toEqual(['p1', 'p2']);
    expect(listPartitions(c, t.id, { includeInvisible: true }).map((p) => p.name)).toEqual(['p1', 'p2', 'p3']);
    publishInvisible(c, { partitionIds: [hidden.id] });
    expect(getPartition(c, { tableId: t.id, name: 'p3' })!.visible).toBe(true);
    dropPartition(c, p2.id);
    expect(getPartition(c, { id: p2.id })).toBeUndefined();
    expect(listTablets(c, { partitionId: p2.id })).toEqual([]);
    expect(errnoOf(() => dropPartition(c, p2.id))).toBe(1735);
  });

  it('reports versions, row counts and data sizes per partition and tablet', async () => {
    const c = fx.store.catalog;
    const t = makeTable(fx.store, 's', { buckets: 2 });
    const pid = firstPartition(fx.store, t.id);
    expect(readVisibleVersions(c, [pid])).toEqual(new Map([[pid, 1]]));
    await insert(fx.store, t.id, [[1, 1n], [2, 2n], [3, 3n]]);
    await insert(fx.store, t.id, [[4, 4n]]);
    expect(readVisibleVersions(c, [pid])).toEqual(new Map([[pid, 3]]));
    const stats = partitionStats(c, t.id).get(pid)!;
    expect(stats.rowCount).toBe(4);
    expect(stats.dataSize).toBeGreaterThan(0);
    const tablets = tabletStats(c, pid);
    expect(tablets.reduce((n, s) => n + s.rowCount, 0)).toBe(4);
    expect(tablets.reduce((n, s) => n + s.dataSize, 0)).toBe(stats.dataSize);
    fx.store.truncate(t.id);
    expect(partitionStats(c, t.id).get(pid)).toMatchObject({ rowCount: 0, dataSize: 0 });
    expect(readVisibleVersions(c, [pid])).toEqual(new Map([[pid, 4]]));
    expect(errnoOf(() => readVisibleVersions(c, [pid, 42]))).toBe(1735);
  });
});
