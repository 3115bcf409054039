import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  iterateTablets,
  jobInfoBrief,
  parseJobInfo,
  serializeJobInfo,
  type BackupIndexInfo,
  type BackupJobInfo,
  type BackupPartitionInfo,
  type BackupTableInfo,
} from '../../src/repository/job-info.ts';
import { writeJavaJson, javaJsonQuote } from '../../src/repository/java-json.ts';

/** Shaped like a StarRocks 3.x `__info_` file (compact, org.json key order), with a Doris-style numeric order and a
 * pre-fix index without tablets_order. */
const STARROCKS_SAMPLE =
  '{"database":"example_db","meta_version":92,"backup_time":1733711158842,"name":"sr_member_backup",' +
  '"starrocks_meta_version":3,"backup_result":"succeed","id":10001,"backup_objects":{' +
  '"orders":{"partitions":{"p20240101":{"indexes":{"orders":{"schema_hash":1183412349,"tablets_order":["10008","10006","10007"],' +
  '"id":10005,"tablets":{"10006":["10006_0.dat.0cc175b9c0f1b6a831c399e269772661"],"10007":[],"10008":[]}}},"id":10004,' +
  '"version_hash":0,"version":3,"subPartitions":{}},"p20240102":{"indexes":{"orders":{"schema_hash":1183412349,' +
  '"tablets_order":[10012,10011],"id":10005,"tablets":{"10011":[],"10012":[]}}},"id":10010,"version_hash":0,"version":1}},"id":10003},' +
  '"sr_member":{"partitions":{"sr_member":{"indexes":{"sr_member":{"schema_hash":5,"id":10021,' +
  '"tablets":{"10030":[],"10024":[],"10025":[]}}},"id":10020,"version_hash":0,"version":2}},"autoIncrementId":5,"id":10019},' +
  '"v_orders":{"partitions":{},"id":10040}}}';

const byName = <T extends { readonly name: string }>(xs: readonly T[]): T[] => [...xs].sort((a, b) => (a.name < b.name ? -1 : 1));
function normalize(info: BackupJobInfo): BackupJobInfo {
  return {
    ...info,
    tables: byName(info.tables).map((t) => ({
      ...t,
      partitions: byName(t.partitions).map((p) => ({ ...p, indexes: byName(p.indexes) })),
    })),
  };
}

describe('job info (BackupJobInfo JSON)', () => {
  it('parses a StarRocks-shaped file: tablets_order strings, Doris numbers, missing → numeric order, views', () => {
    const info = parseJobInfo(STARROCKS_SAMPLE);
    expect(info.name).toBe('sr_member_backup');
    expect(info.database).toBe('example_db');
    expect(info.dbId).toBe(10001);
    expect(info.backupTime).toBe(1733711158842);
    expect(info.success).toBe(true);
    const orders = info.tables.find((t) => t.name === 'orders')!;
    const p1 = orders.partitions.find((p) => p.name === 'p20240101')!;
    expect(p1.indexes[0]!.tablets.map((t) => t.id)).toEqual([10008, 10006, 10007]);
    expect(p1.indexes[0]!.tablets[1]!.files).toEqual(['10006_0.dat.0cc175b9c0f1b6a831c399e269772661']);
    const p2 = orders.partitions.find((p) => p.name === 'p20240102')!;
    expect(p2.indexes[0]!.tablets.map((t) => t.id)).toEqual([10012, 10011]);
    const member = info.tables.find((t) => t.name === 'sr_member')!;
    expect(member.autoIncrementId).toBe(5);
    expect(member.partitions[0]!.indexes[0]!.tablets.map((t) => t.id)).toEqual([10024, 10025, 10030]);
    expect(info.tables.find((t) => t.name === 'v_orders')!.partitions).toEqual([]);
    expect([...iterateTablets(info)].length).toBe(8);
    expect(info.extension).toBeUndefined();
  });

  it('brief form is org.json toString(1) of toJson(false), key for key', () => {
    const info = parseJobInfo(STARROCKS_SAMPLE);
    const twoTables: BackupJobInfo = { ...info, tables: info.tables.filter((t) => t.name !== 'v_orders') };
    expect(jobInfoBrief(twoTables)).toBe(
      [
        '{',
        ' "database": "example_db",',
        ' "meta_version": 92,',
        ' "backup_time": 1733711158842,',
        ' "name": "sr_member_backup",',
        ' "starrocks_meta_version": 3,',
        ' "backup_result": "succeed",',
        ' "backup_objects": {',
        '  "orders": {"partitions": {',
        '   "p20240101": {},',
        '   "p20240102": {}',
        '  }},',
        '  "sr_member": {',
        '   "partitions": {"sr_member": {}},',
        '   "autoIncrementId": 5',
        '  }',
        ' }',
        '}',
      ].join('\n'),
    );
  });

  it('writes the verbose form StarRocks reads (ids, version_hash 0, tablets_order as strings)', () => {
    const info = parseJobInfo(STARROCKS_SAMPLE);
    const raw = JSON.parse(serializeJobInfo(info)) as Record<string, any>;
    expect(Object.keys(raw).sort()).toEqual(
      ['backup_objects', 'backup_result', 'backup_time', 'database', 'id', 'meta_version', 'name', 'starrocks_meta_version'].sort(),
    );
    const idx = raw['backup_objects'].orders.partitions.p20240101.indexes.orders;
    expect(idx.tablets_order).toEqual(['10008', '10006', '10007']);
    expect(raw['backup_objects'].orders.partitions.p20240101.version_hash).toBe(0);
    // Key order is a Java HashMap's, like a file written by StarRocks.
    expect(serializeJobInfo(info).startsWith('{"database":"example_db","meta_version":92,"backup_time":1733711158842,')).toBe(true);
  });

  it('reports missing required keys in org.json wording', () => {
    expect(() => parseJobInfo('{"name":"x"}')).toThrow('JSONObject["backup_objects"] not found.');
    expect(() => parseJobInfo('{"backup_objects":{},"name":"x","database":"d","backup_time":1,"backup_result":"succeed"}')).toThrow(
      'JSONObject["id"] not found.',
    );
    expect(() => parseJobInfo('[]')).toThrow(/must begin with/);
    expect(() => parseJobInfo('{oops')).toThrow(/valid JSON/);
  });

  it('quotes strings like org.json', () => {
    expect(javaJsonQuote('a"b\\c</d\n\u0001\u0085\u2028é')).toBe('"a\\"b\\\\c<\\/d\\n\\u0001\\u0085\\u2028é"');
    expect(writeJavaJson(new Map([['a', [1]], ['b', []]]), 1)).toBe('{\n "a": [1],\n "b": []\n}');
  });

  it('round-trips any job info, extension included (fast-check)', () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);
    const id = fc.integer({ min: 1, max: 2 ** 40 });
    const files = fc.array(fc.stringMatching(/^[0-9]{1,5}_[0-9]\.dat\.[0-9a-f]{32}$/), { maxLength: 3 });
    const index: fc.Arbitrary<Omit<BackupIndexInfo, 'name'>> = fc.record({
      id,
      schemaHash: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      tablets: fc.uniqueArray(fc.record({ id, files }), { selector: (t) => t.id, maxLength: 4 }),
    });
    const partition: fc.Arbitrary<Omit<BackupPartitionInfo, 'name'>> = fc.record({
      id,
      version: fc.integer({ min: 1, max: 1e6 }),
      indexes: fc.uniqueArray(fc.tuple(name, index), { selector: (x) => x[0], maxLength: 2 }).map((xs) => xs.map(([n, x]) => ({ name: n, ...x }))),
      subPartitions: fc.constant([]),
    });
    const table: fc.Arbitrary<Omit<BackupTableInfo, 'name'>> = fc
      .record({
        id,
        auto: fc.option(fc.integer({ min: 0, max: 1e9 }), { nil: undefined }),
        partitions: fc.uniqueArray(fc.tuple(name, partition), { selector: (x) => x[0], maxLength: 3 }).map((xs) => xs.map(([n, p]) => ({ name: n, ...p }))),
      })
      .map(({ id: tid, auto, partitions }) => ({ id: tid, partitions, ...(auto === undefined ? {} : { autoIncrementId: auto }) }));
    const ext = fc.record({
      version: fc.constant(1),
      fileSizes: fc.dictionary(fc.stringMatching(/^[1-9][0-9]{0,5}$/), fc.dictionary(name, fc.nat())),
      partitionStats: fc.dictionary(name, fc.dictionary(name, fc.record({ rowCount: fc.nat(), checksum: fc.stringMatching(/^[0-9a-f]{8}$/) }))),
      views: fc.dictionary(name, fc.string()),
      finishedTime: fc.integer({ min: -1, max: 2 ** 42 }),
    });
    const info: fc.Arbitrary<BackupJobInfo> = fc
      .record({
        name,
        database: fc.string(),
        dbId: id,
        backupTime: fc.integer({ min: 0, max: 2 ** 42 }),
        tables: fc.uniqueArray(fc.tuple(name, table), { selector: (x) => x[0], maxLength: 3 }).map((xs) => xs.map(([n, t]) => ({ name: n, ...t }))),
        metaVersion: fc.integer({ min: 1, max: 200 }),
        starrocksMetaVersion: fc.integer({ min: 1, max: 10 }),
        success: fc.boolean(),
        ext: fc.option(ext, { nil: undefined }),
      })
      .map(({ ext: e, ...rest }) => (e === undefined ? rest : { ...rest, extension: e }));
    fc.assert(
      fc.property(info, (x) => {
        // Tables, partitions and indexes are maps (written in Java HashMap order); only tablet order is significant.
        expect(normalize(parseJobInfo(serializeJobInfo(x)))).toEqual(normalize(x));
        // The brief is valid JSON with the same names and no ids.
        const brief = JSON.parse(jobInfoBrief(x)) as { backup_objects: Record<string, { partitions: Record<string, object> }> };
        expect(Object.keys(brief.backup_objects).sort()).toEqual(x.tables.map((t) => t.name).sort());
      }),
      { numRuns: 200 },
    );
  });
});
