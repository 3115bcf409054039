/**
 * VERIFY SNAPSHOT as a job kind of the scheduler (DESIGN §6): prove a snapshot restorable from what its repository
 * holds now. Its states:
 *
 *   PENDING     list the repository, read the snapshot's info file; send check tasks (the files, in groups)
 *   CHECKING    wait for them: each file resolves with its recorded size (and, in checksum mode, its md5)
 *   RESTORING   restore mode: RESTORE the snapshot into a scratch database and compare what it restored
 *   REPORTING   the meta file (checksum mode), the per-partition comparisons, the report
 *
 * Nothing of it is a checkpoint: a restart runs the job again from PENDING (checking is read-only, and restore
 * mode's scratch database from the interrupted run is dropped first), so a resumed VERIFY reports a whole run.
 */
import { defineJobKind, registerJobKind, type JobKind } from '../state-machine.ts';

export type VerifyState = 'PENDING' | 'CHECKING' | 'RESTORING' | 'REPORTING' | 'FINISHED' | 'CANCELLED';

export const VERIFY_JOB: JobKind<VerifyState> = defineJobKind<VerifyState>({
  name: 'VERIFY',
  states: ['PENDING', 'CHECKING', 'RESTORING', 'REPORTING', 'FINISHED', 'CANCELLED'],
  initial: 'PENDING',
  finished: 'FINISHED',
  cancelled: 'CANCELLED',
  transitions: {
    PENDING: ['CHECKING'],
    CHECKING: ['RESTORING', 'REPORTING'],
    RESTORING: ['REPORTING'],
    REPORTING: ['FINISHED'],
    FINISHED: [],
    CANCELLED: [],
  },
  persisted: [],
  stamps: { CHECKING: 'metaPreparedTime', REPORTING: 'transferFinishedTime' },
  phaseTasks: { CHECKING: 'verify', RESTORING: 'verify' },
  unfinishedFormat: { verify: 'task=backend' },
  retryOnError: [],
  userCancelStatus: (state) => ({ code: 'COMMON_ERROR', msg: `user cancelled, current state: ${state}` }),
  timeoutStatus: () => ({ code: 'TIMEOUT', msg: '' }),
});

registerJobKind(VERIFY_JOB);

/** The queue verify tasks run on: not a backend (they read the repository only), one shared queue of its own. */
export const VERIFY_QUEUE = -1;

/**
 * The key VERIFY jobs hold in the one-job-per-key rule: the negated repository id (ids are positive and start past
 * 10000, so it is neither a database nor the external catalog's -1). One VERIFY per repository at a time, and SHOW
 * VERIFY lists the last one of each repository, as SHOW COPY does for copies.
 */
export function verifyKeyOf(repositoryId: number): number {
  return -repositoryId;
}
