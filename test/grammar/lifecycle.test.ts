import { describe, expect, it } from 'vitest';
import { parseStatement } from '../../grammar/index.ts';
import { one } from './helpers.ts';

describe('snapshot lifecycle statements', () => {
  it('DROP SNAPSHOT: the v4.2 form with DRY RUN, and the bulk WHERE form', () => {
    expect(one('DROP SNAPSHOT s1 ON repo DRY RUN')).toEqual({ kind: 'DropSnapshot', snapshot: 's1', repository: 'repo', force: false, dryRun: true });
    expect(one('DROP SNAPSHOT s1 ON repo FORCE dry run')).toMatchObject({ kind: 'DropSnapshot', force: true, dryRun: true });
    expect(one("DROP SNAPSHOT ON repo WHERE SNAPSHOT = 'a'")).toMatchObject({
      kind: 'DropSnapshots',
      repository: 'repo',
      dryRun: false,
      where: { kind: 'Binary', op: '=', right: { kind: 'StringLiteral', value: 'a' } },
    });
    expect(one("DROP SNAPSHOT ON repo WHERE SNAPSHOT IN ('a', 'b') DRY RUN")).toMatchObject({ kind: 'DropSnapshots', dryRun: true, where: { kind: 'In' } });
    expect(one("DROP SNAPSHOT ON repo WHERE TIMESTAMP <= '2026-11-21-10-00-00-000'")).toMatchObject({ where: { op: '<=' } });
    // DRY and RUN stay usable as names.
    expect(one('DROP SNAPSHOT dry ON run')).toMatchObject({ snapshot: 'dry', repository: 'run' });
  });

  it('ALTER REPOSITORY … SET PROPERTIES', () => {
    expect(one('ALTER REPOSITORY r SET PROPERTIES ("default_snapshot_ttl" = "30 DAY")')).toEqual({
      kind: 'AlterRepository',
      name: 'r',
      properties: [{ key: 'default_snapshot_ttl', value: '30 DAY' }],
    });
  });

  it('SHOW SNAPSHOT DIFF with and without timestamps; SHOW SNAPSHOT still parses', () => {
    expect(one("SHOW SNAPSHOT DIFF ON r FROM 'a' TO 'b'")).toEqual({ kind: 'ShowSnapshotDiff', repository: 'r', from: { label: 'a' }, to: { label: 'b' } });
    expect(one("SHOW SNAPSHOT DIFF ON r FROM a '2026-01-01-00-00-00-000' TO `b` '2026-01-02-00-00-00-000'")).toEqual({
      kind: 'ShowSnapshotDiff',
      repository: 'r',
      from: { label: 'a', timestamp: '2026-01-01-00-00-00-000' },
      to: { label: 'b', timestamp: '2026-01-02-00-00-00-000' },
    });
    expect(parseStatement('SHOW SNAPSHOT ON r').kind).toBe('ShowSnapshot');
  });

  it('SHOW VERIFY [ON repo] with SHOW predicates; CANCEL VERIFY [ON repo]', () => {
    expect(one('SHOW VERIFY')).toEqual({ kind: 'ShowVerify', orderBy: [] });
    expect(one("SHOW VERIFY ON r WHERE State = 'FINISHED' LIMIT 1")).toMatchObject({ kind: 'ShowVerify', repository: 'r', limit: { count: 1 } });
    expect(one('CANCEL VERIFY')).toEqual({ kind: 'CancelVerify' });
    expect(one('cancel verify on `r`')).toEqual({ kind: 'CancelVerify', repository: 'r' });
    // CANCEL BACKUP and VERIFY SNAPSHOT are unchanged beside them.
    expect(parseStatement('CANCEL BACKUP FROM d').kind).toBe('CancelBackup');
    expect(one('VERIFY SNAPSHOT s ON r PROPERTIES ("mode" = "restore")')).toMatchObject({ kind: 'VerifySnapshot', properties: [{ key: 'mode', value: 'restore' }] });
  });
});
