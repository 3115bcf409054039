import { describe, expect, it } from 'vitest';
import { num, one, str } from './helpers.ts';

describe('SET', () => {
  it('parses variable assignments with every scope', () => {
    expect(one("SET autocommit=1, sql_mode = 'STRICT', SESSION a = 2, LOCAL b = 3, GLOBAL c = 4, @@d = 5, @@session.e = 6, @@global.f = 7, @@local.g = 8, @u = 9, @v := 10")).toEqual({
      kind: 'Set',
      assignments: [
        { kind: 'SetVariable', scope: 'SESSION', name: 'autocommit', value: num('1') },
        { kind: 'SetVariable', scope: 'SESSION', name: 'sql_mode', value: str('STRICT') },
        { kind: 'SetVariable', scope: 'SESSION', name: 'a', value: num('2') },
        { kind: 'SetVariable', scope: 'SESSION', name: 'b', value: num('3') },
        { kind: 'SetVariable', scope: 'GLOBAL', name: 'c', value: num('4') },
        { kind: 'SetVariable', scope: 'SESSION', name: 'd', value: num('5') },
        { kind: 'SetVariable', scope: 'SESSION', name: 'e', value: num('6') },
        { kind: 'SetVariable', scope: 'GLOBAL', name: 'f', value: num('7') },
        { kind: 'SetVariable', scope: 'SESSION', name: 'g', value: num('8') },
        { kind: 'SetVariable', scope: 'USER', name: 'u', value: num('9') },
        { kind: 'SetVariable', scope: 'USER', name: 'v', value: num('10') },
      ],
    });
  });

  it('turns ON / OFF / DEFAULT and bare words into strings', () => {
    expect(one('SET a = ON, b = off, c = DEFAULT, d = TRADITIONAL, e = TRUE, f = 1 + 1')).toEqual({
      kind: 'Set',
      assignments: [
        { kind: 'SetVariable', scope: 'SESSION', name: 'a', value: str('ON') },
        { kind: 'SetVariable', scope: 'SESSION', name: 'b', value: str('OFF') },
        { kind: 'SetVariable', scope: 'SESSION', name: 'c', value: str('DEFAULT') },
        { kind: 'SetVariable', scope: 'SESSION', name: 'd', value: str('TRADITIONAL') },
        { kind: 'SetVariable', scope: 'SESSION', name: 'e', value: { kind: 'BooleanLiteral', value: true } },
        { kind: 'SetVariable', scope: 'SESSION', name: 'f', value: { kind: 'Binary', op: '+', left: num('1'), right: num('1') } },
      ],
    });
  });

  it('parses NAMES and CHARACTER SET', () => {
    expect(one('SET NAMES utf8mb4')).toEqual({ kind: 'Set', assignments: [{ kind: 'SetNames', charset: 'utf8mb4' }] });
    expect(one("SET NAMES 'utf8mb4' COLLATE 'utf8mb4_bin'")).toEqual({ kind: 'Set', assignments: [{ kind: 'SetNames', charset: 'utf8mb4', collation: 'utf8mb4_bin' }] });
    expect(one('SET NAMES DEFAULT')).toEqual({ kind: 'Set', assignments: [{ kind: 'SetNames', charset: 'DEFAULT' }] });
    expect(one('SET CHARACTER SET utf8')).toEqual({ kind: 'Set', assignments: [{ kind: 'SetCharacterSet', charset: 'utf8' }] });
    expect(one('SET CHARSET latin1, NAMES utf8')).toEqual({
      kind: 'Set',
      assignments: [
        { kind: 'SetCharacterSet', charset: 'latin1' },
        { kind: 'SetNames', charset: 'utf8' },
      ],
    });
  });
});

describe('administration and transactions', () => {
  it('parses KILL', () => {
    expect(one('KILL 12')).toEqual({ kind: 'Kill', connectionId: 12, queryOnly: false });
    expect(one('KILL CONNECTION 12')).toEqual({ kind: 'Kill', connectionId: 12, queryOnly: false });
    expect(one('KILL QUERY 12')).toEqual({ kind: 'Kill', connectionId: 12, queryOnly: true });
  });

  it('parses transaction statements', () => {
    expect(one('BEGIN')).toEqual({ kind: 'Transaction', action: 'BEGIN' });
    expect(one('BEGIN WORK')).toEqual({ kind: 'Transaction', action: 'BEGIN' });
    expect(one('START TRANSACTION')).toEqual({ kind: 'Transaction', action: 'BEGIN' });
    expect(one('COMMIT')).toEqual({ kind: 'Transaction', action: 'COMMIT' });
    expect(one('commit work')).toEqual({ kind: 'Transaction', action: 'COMMIT' });
    expect(one('ROLLBACK')).toEqual({ kind: 'Transaction', action: 'ROLLBACK' });
    expect(one('ROLLBACK WORK')).toEqual({ kind: 'Transaction', action: 'ROLLBACK' });
  });
});
