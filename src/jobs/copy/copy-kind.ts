/**
 * COPY SNAPSHOT as a job kind of the scheduler (DESIGN §6): copy one snapshot between repositories, for disaster
 * recovery. Its states mirror BACKUP's upload half:
 *
 *   PENDING        read the source's info file and list both sides; plan the files the destination lacks
 *   COPY_SNAPSHOT  send copy tasks (re-sent after a restart; files already copied are skipped)
 *   COPYING        wait for them: each file streamed from source to destination, md5 verified on the way
 *   UPLOAD_META    the meta file
 *   UPLOAD_INFO    the info file, last: only then is the copy listed (SHOW SNAPSHOT status OK) in the destination
 */
import { defineJobKind, registerJobKind, type JobKind } from '../state-machine.ts';

export type CopyState = 'PENDING' | 'COPY_SNAPSHOT' | 'COPYING' | 'UPLOAD_META' | 'UPLOAD_INFO' | 'FINISHED' | 'CANCELLED';

export const COPY_JOB: JobKind<CopyState> = defineJobKind<CopyState>({
  name: 'COPY',
  states: ['PENDING', 'COPY_SNAPSHOT', 'COPYING', 'UPLOAD_META', 'UPLOAD_INFO', 'FINISHED', 'CANCELLED'],
  initial: 'PENDING',
  finished: 'FINISHED',
  cancelled: 'CANCELLED',
  transitions: {
    PENDING: ['COPY_SNAPSHOT'],
    COPY_SNAPSHOT: ['COPYING'],
    COPYING: ['UPLOAD_META'],
    UPLOAD_META: ['UPLOAD_INFO'],
    UPLOAD_INFO: ['FINISHED'],
    FINISHED: [],
    CANCELLED: [],
  },
  // The plan is kept (PENDING → COPY_SNAPSHOT); a restart while copying re-sends the tasks and skips copied files.
  persisted: [
    ['PENDING', 'COPY_SNAPSHOT'],
    ['COPYING', 'UPLOAD_META'],
    ['UPLOAD_META', 'UPLOAD_INFO'],
    ['UPLOAD_INFO', 'FINISHED'],
  ],
  stamps: { COPY_SNAPSHOT: 'metaPreparedTime', UPLOAD_META: 'transferFinishedTime' },
  phaseTasks: { COPYING: 'copy' },
  unfinishedFormat: { copy: 'task=backend' },
  retryOnError: ['UPLOAD_INFO'],
  userCancelStatus: (state) => ({ code: 'COMMON_ERROR', msg: `user cancelled, current state: ${state}` }),
  timeoutStatus: () => ({ code: 'TIMEOUT', msg: '' }),
});

registerJobKind(COPY_JOB);

/** The queue copy tasks run on: not a backend (nothing local is read or written), one shared remote queue. */
export const COPY_QUEUE = 0;
