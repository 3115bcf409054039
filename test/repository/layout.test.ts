import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  checksummedKey,
  decodeChecksummedName,
  jobInfoKey,
  jobInfoTimestamp,
  metaKey,
  parseTabletPath,
  repositoryRoot,
  snapshotDir,
  tabletDir,
  tabletFileKey,
  tabletRelativePath,
  tempKey,
  PALO_REPOSITORY_PREFIX,
} from '../../src/repository/layout.ts';

const ids = { dbId: 10001, tableId: 10020, partitionId: 10031, indexId: 10020, tabletId: 10023 };

describe('layout', () => {
  it('builds StarRocks paths', () => {
    expect(repositoryRoot('repo1')).toBe('__starrocks_repository_repo1');
    expect(repositoryRoot('repo1', PALO_REPOSITORY_PREFIX)).toBe('__palo_repository_repo1');
    expect(snapshotDir('my_ss1')).toBe('__ss_my_ss1');
    expect(metaKey('my_ss1')).toBe('__ss_my_ss1/__meta');
    expect(jobInfoKey('my_ss1', '2018-01-01-08-00-00-000')).toBe('__ss_my_ss1/__info_2018-01-01-08-00-00-000');
    expect(tabletRelativePath(ids)).toBe('__db_10001/__tbl_10020/__part_10031/__idx_10020/__10023');
    expect(tabletDir('my_ss1', ids)).toBe('__ss_my_ss1/__ss_content/__db_10001/__tbl_10020/__part_10031/__idx_10020/__10023');
    expect(tabletFileKey('s', ids, '10023_0.dat')).toBe('__ss_s/__ss_content/__db_10001/__tbl_10020/__part_10031/__idx_10020/__10023/10023_0.dat');
    expect(tempKey('a/__meta')).toBe('a/__meta.part');
    expect(checksummedKey('a/__meta', 'd41d8cd98f00b204e9800998ecf8427e')).toBe('a/__meta.d41d8cd98f00b204e9800998ecf8427e');
  });

  it('formats the info timestamp yyyy-MM-dd-HH-mm-ss-SSS in local time', () => {
    const t = new Date(2024, 11, 9, 10, 25, 58, 842).getTime();
    expect(jobInfoTimestamp(t)).toBe('2024-12-09-10-25-58-842');
  });

  it('refuses segments that would escape their directory', () => {
    expect(() => snapshotDir('a/b')).toThrow(/invalid snapshot label/);
    expect(() => repositoryRoot('')).toThrow(/invalid repository name/);
    expect(() => jobInfoKey('x', '../y')).toThrow(/invalid backup timestamp/);
  });

  it('decodes name.<md5> at the last dot, 32 chars only', () => {
    expect(decodeChecksummedName('__info_2018-04-18-20-11-00.part')).toBeNull();
    expect(decodeChecksummedName('noext')).toBeNull();
    expect(decodeChecksummedName('a.b.0123456789abcdef0123456789abcdef')).toEqual({ name: 'a.b', md5: '0123456789abcdef0123456789abcdef' });
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.stringMatching(/^[0-9a-f]{32}$/), (name, md5) => {
        expect(decodeChecksummedName(checksummedKey(name, md5))).toEqual({ name, md5 });
      }),
    );
  });

  it('parses tablet paths back to ids', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 5, maxLength: 5 }), ([d, t, p, i, b]) => {
        const x = { dbId: d!, tableId: t!, partitionId: p!, indexId: i!, tabletId: b! };
        expect(parseTabletPath(`${tabletRelativePath(x)}/f.dat`)).toEqual({ ids: x, rest: 'f.dat' });
      }),
    );
    expect(parseTabletPath('__db_1/__tbl_2')).toBeNull();
  });
});
