import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BACKUP_JOB,
  RESTORE_JOB,
  IllegalTransitionError,
  canTransition,
  defineJobKind,
  isPersisted,
  registerJobKind,
  stampFor,
  transition,
  type JobKind,
} from '../../src/jobs/state-machine.ts';
import { formatStatus, statusFromError, JobStatusError, ERR_CODES } from '../../src/jobs/status.ts';

const BACKUP_CHAIN = ['PENDING', 'SNAPSHOTING', 'UPLOAD_SNAPSHOT', 'UPLOADING', 'SAVE_META', 'UPLOAD_INFO', 'FINISHED'];
const RESTORE_CHAIN = ['PENDING', 'SNAPSHOTING', 'DOWNLOAD', 'DOWNLOADING', 'COMMIT', 'COMMITTING', 'FINISHED'];

function expected(chain: string[], from: string, to: string): boolean {
  const i = chain.indexOf(from);
  if (from === 'FINISHED' || from === 'CANCELLED') return false;
  if (to === 'CANCELLED') return true;
  return chain[i + 1] === to;
}

describe.each([
  [BACKUP_JOB as JobKind, BACKUP_CHAIN],
  [RESTORE_JOB as JobKind, RESTORE_CHAIN],
])('%s transitions', (kind, chain) => {
  it('allows exactly the next state and cancel from every non-final state; everything else throws', () => {
    for (const from of kind.states) {
      for (const to of [...kind.states, 'BOGUS']) {
        const legal = expected(chain, from, to);
        expect(canTransition(kind, from, to), `${from} -> ${to}`).toBe(legal);
        const job = { kind: kind.name, state: from };
        if (legal) expect(transition(job, to)).toBe(to);
        else expect(() => transition(job, to), `${from} -> ${to}`).toThrow(IllegalTransitionError);
      }
    }
  });

  it('persists cancel and the terminal moves', () => {
    for (const from of kind.states.filter((s) => s !== 'FINISHED' && s !== 'CANCELLED')) {
      expect(isPersisted(kind, from, 'CANCELLED')).toBe(true);
    }
    expect(stampFor(kind, 'FINISHED')).toBe('finishedTime');
    expect(stampFor(kind, 'CANCELLED')).toBe('finishedTime');
  });
});

describe('StarRocks checkpoint tables', () => {
  it('backup re-executes PENDING→SNAPSHOTING and UPLOAD_SNAPSHOT→UPLOADING after a restart', () => {
    expect(isPersisted(BACKUP_JOB, 'PENDING', 'SNAPSHOTING')).toBe(false);
    expect(isPersisted(BACKUP_JOB, 'SNAPSHOTING', 'UPLOAD_SNAPSHOT')).toBe(true);
    expect(isPersisted(BACKUP_JOB, 'UPLOAD_SNAPSHOT', 'UPLOADING')).toBe(false);
    expect(isPersisted(BACKUP_JOB, 'UPLOADING', 'SAVE_META')).toBe(true);
    expect(isPersisted(BACKUP_JOB, 'SAVE_META', 'UPLOAD_INFO')).toBe(true);
    expect(stampFor(BACKUP_JOB, 'UPLOAD_SNAPSHOT')).toBe('snapshotFinishedTime');
    expect(stampFor(BACKUP_JOB, 'SAVE_META')).toBe('transferFinishedTime');
  });

  it('restore re-executes PENDING, DOWNLOAD and COMMIT', () => {
    expect(isPersisted(RESTORE_JOB, 'PENDING', 'SNAPSHOTING')).toBe(false);
    expect(isPersisted(RESTORE_JOB, 'SNAPSHOTING', 'DOWNLOAD')).toBe(true);
    expect(isPersisted(RESTORE_JOB, 'DOWNLOAD', 'DOWNLOADING')).toBe(false);
    expect(isPersisted(RESTORE_JOB, 'DOWNLOADING', 'COMMIT')).toBe(true);
    expect(isPersisted(RESTORE_JOB, 'COMMIT', 'COMMITTING')).toBe(false);
    expect(stampFor(RESTORE_JOB, 'SNAPSHOTING')).toBe('metaPreparedTime');
    expect(stampFor(RESTORE_JOB, 'DOWNLOAD')).toBe('snapshotFinishedTime');
    expect(stampFor(RESTORE_JOB, 'COMMIT')).toBe('transferFinishedTime');
  });
});

describe('new job kinds are additions', () => {
  type V = 'PENDING' | 'CHECKING' | 'FINISHED' | 'CANCELLED';
  const base: JobKind<V> = {
    name: 'VERIFY_TEST',
    states: ['PENDING', 'CHECKING', 'FINISHED', 'CANCELLED'],
    initial: 'PENDING',
    finished: 'FINISHED',
    cancelled: 'CANCELLED',
    transitions: { PENDING: ['CHECKING'], CHECKING: ['FINISHED'], FINISHED: [], CANCELLED: [] },
    persisted: [['CHECKING', 'FINISHED']],
    stamps: {},
    phaseTasks: { CHECKING: 'verify' },
    unfinishedFormat: { verify: 'task=backend' },
    retryOnError: [],
    userCancelStatus: () => ({ code: 'COMMON_ERROR', msg: 'user cancelled' }),
    timeoutStatus: () => ({ code: 'TIMEOUT', msg: '' }),
  };

  it('registers a VERIFY-like kind and enforces its table', () => {
    const kind = defineJobKind(base);
    registerJobKind(kind);
    expect(transition({ kind: 'VERIFY_TEST', state: 'PENDING' }, 'CHECKING')).toBe('CHECKING');
    expect(() => transition({ kind: 'VERIFY_TEST', state: 'PENDING' }, 'FINISHED')).toThrow(IllegalTransitionError);
    expect(() => registerJobKind({ ...kind })).toThrow(/already registered/);
  });

  it('rejects malformed tables at definition', () => {
    expect(() => defineJobKind({ ...base, transitions: { ...base.transitions, FINISHED: ['PENDING'] } })).toThrow(
      /terminal state FINISHED has transitions/,
    );
    expect(() =>
      defineJobKind({ ...base, persisted: [], transitions: { ...base.transitions, CHECKING: [] } }),
    ).toThrow(/cannot finish/);
    expect(() => defineJobKind({ ...base, transitions: { ...base.transitions, PENDING: ['FINISHED'] } })).toThrow(
      /unreachable/,
    );
    expect(() => defineJobKind({ ...base, persisted: [['PENDING', 'FINISHED']] })).toThrow(/not a transition/);
  });

  it('random walks through a table never leave it', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 30 }), (choices) => {
        for (const kind of [BACKUP_JOB as JobKind, RESTORE_JOB as JobKind]) {
          let state: string = kind.initial;
          for (const c of choices) {
            const options = [...(kind.transitions[state] ?? [])];
            if (state !== kind.finished && state !== kind.cancelled) options.push(kind.cancelled);
            if (options.length === 0) break;
            state = transition({ kind: kind.name, state }, options[c % options.length] ?? kind.cancelled);
            expect(kind.states).toContain(state);
          }
        }
      }),
    );
  });
});

describe('Status', () => {
  it('formats like StarRocks', () => {
    expect(ERR_CODES[0]).toBe('OK');
    expect(ERR_CODES).toHaveLength(11);
    expect(formatStatus({ code: 'OK', msg: '' })).toBe('[OK]');
    expect(formatStatus({ code: 'TIMEOUT', msg: '' })).toBe('[TIMEOUT, msg: ]');
    expect(formatStatus({ code: 'COMMON_ERROR', msg: 'user cancelled' })).toBe('[COMMON_ERROR, msg: user cancelled]');
    expect(statusFromError(new JobStatusError('OLAP_VERSION_ALREADY_MERGED', 'make snapshot failed, version already merged'))).toEqual({
      code: 'OLAP_VERSION_ALREADY_MERGED',
      msg: 'make snapshot failed, version already merged',
    });
    expect(statusFromError(new Error('boom'))).toEqual({ code: 'COMMON_ERROR', msg: 'boom' });
  });
});
