import type { Catalog } from './catalog.ts';
import type { JobTaskRow, JsonValue, NewTask, RawTask, TaskKind } from './jobs-types.ts';
import { decodeTask } from './jobs-types.ts';

/**
 * Create the tasks a state needs, skipping those that already exist (same `taskKey`), together with their files, in
 * one transaction. Why idempotent: a state that was not persisted is re-executed after a restart, and must find the
 * tasks — and the per-file progress — of its first execution instead of starting over.
 * Returns the rows for all given keys, in the given order.
 */
export function ensureTasks(catalog: Catalog, jobId: number, tasks: readonly NewTask[]): JobTaskRow[] {
  return catalog.transaction(() => {
    // RETURNING only the id: the row is the task as given (reading its payload back and parsing it cost more than
    // the insert for thousands of tasks).
    const insertTask = catalog.prepare<unknown[], { id: number }>(
      `INSERT INTO job_tasks (job_id, task_key, kind, backend_id, tablet_id, payload) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (job_id, task_key) DO NOTHING RETURNING id`,
    );
    const selectTask = catalog.prepare<[number, string], RawTask>(
      'SELECT * FROM job_tasks WHERE job_id = ? AND task_key = ?',
    );
    const insertFile = catalog.prepare(
      `INSERT INTO job_files (task_id, job_id, tablet_id, name, size, md5) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    return tasks.map((t): JobTaskRow => {
      const created = insertTask.get(jobId, t.taskKey, t.kind, t.backendId, t.tabletId, JSON.stringify(t.payload));
      if (created === undefined) {
        const existing = selectTask.get(jobId, t.taskKey);
        if (existing === undefined) throw new Error(`task ${t.taskKey} of job ${jobId} vanished`);
        return decodeTask(existing);
      }
      for (const f of t.files ?? []) insertFile.run(created.id, jobId, f.tabletId, f.name, f.size, f.md5);
      return {
        id: created.id,
        jobId,
        taskKey: t.taskKey,
        kind: t.kind,
        backendId: t.backendId,
        tabletId: t.tabletId,
        state: 'pending',
        error: null,
        attempts: 0,
        payload: t.payload,
        result: null,
      };
    });
  });
}

/** Tasks of a job, optionally of one kind, in creation order. */
export function listTasks(catalog: Catalog, jobId: number, kind?: TaskKind): JobTaskRow[] {
  return catalog
    .prepare<[Record<string, unknown>], RawTask>(
      'SELECT * FROM job_tasks WHERE job_id = @jobId AND (@kind IS NULL OR kind = @kind) ORDER BY id',
    )
    .all({ jobId, kind: kind ?? null })
    .map(decodeTask);
}

/** A task without its payload and result: what SHOW BACKUP / SHOW RESTORE print. */
export type JobTaskSummary = Pick<JobTaskRow, 'id' | 'kind' | 'backendId' | 'tabletId' | 'state' | 'error'>;

/**
 * The job's tasks without their payload / result JSON (which can list every file of a tablet): SHOW polls this,
 * and decoding all of that on every SHOW of a 10,000-tablet job took seconds.
 */
export function listTaskSummaries(catalog: Catalog, jobId: number, options: { readonly failedOnly?: boolean } = {}): JobTaskSummary[] {
  // failedOnly: what SHOW needs of a finished job (its task errors), without reading every task of every job shown.
  const where = options.failedOnly === true ? " AND error IS NOT NULL AND state NOT IN ('done', 'released')" : '';
  return catalog
    .prepare<[number], { id: number; kind: TaskKind; backend_id: number; tablet_id: number | null; state: JobTaskRow['state']; error: string | null }>(
      `SELECT id, kind, backend_id, tablet_id, state, error FROM job_tasks WHERE job_id = ?${where} ORDER BY id`,
    )
    .all(jobId)
    .map((r) => ({ id: r.id, kind: r.kind, backendId: r.backend_id, tabletId: r.tablet_id, state: r.state, error: r.error }));
}

/**
 * How many of a job's tasks of one kind are not finished (neither done nor released). A job's state runs again
 * after every task completion, so this is an indexed count, not a read of every task: with 10,000 tablets, listing
 * and decoding all tasks on each completion was quadratic and dominated a backup.
 */
export function countUnfinishedTasks(catalog: Catalog, jobId: number, kind: TaskKind): number {
  const row = catalog
    .prepare<[number, string], { n: number }>(
      "SELECT count(*) AS n FROM job_tasks WHERE job_id = ? AND kind = ? AND state NOT IN ('done', 'released')",
    )
    .get(jobId, kind);
  return row?.n ?? 0;
}

/** Mark a task done with its result (only from pending: a late completion of a failed task is ignored). */
export function completeTask(catalog: Catalog, taskId: number, result: JsonValue): boolean {
  return (
    catalog
      .prepare("UPDATE job_tasks SET state = 'done', result = ?, error = NULL WHERE id = ? AND state = 'pending'")
      .run(JSON.stringify(result), taskId).changes === 1
  );
}

/** Record a failed attempt that will be retried: the message shows in TaskErrMsg meanwhile. */
export function recordTaskAttemptError(catalog: Catalog, taskId: number, message: string): void {
  catalog.prepare('UPDATE job_tasks SET error = ?, attempts = attempts + 1 WHERE id = ?').run(message, taskId);
}

/** Mark a task failed for good (its job is being cancelled). */
export function failTask(catalog: Catalog, taskId: number, message: string): void {
  catalog
    .prepare("UPDATE job_tasks SET state = 'failed', error = ?, attempts = attempts + 1 WHERE id = ? AND state = 'pending'")
    .run(message, taskId);
}

/** Mark finished snapshot tasks as released (their local snapshot dirs no longer belong to the job). */
export function markTasksReleased(catalog: Catalog, taskIds: readonly number[]): void {
  const stmt = catalog.prepare("UPDATE job_tasks SET state = 'released' WHERE id = ? AND state = 'done'");
  catalog.transaction(() => {
    for (const id of taskIds) stmt.run(id);
  });
}

/** Forget a job's tasks of the given kinds (and their files): used before PENDING is re-executed. */
export function deleteTasks(catalog: Catalog, jobId: number, kinds: readonly TaskKind[]): void {
  const stmt = catalog.prepare('DELETE FROM job_tasks WHERE job_id = ? AND kind = ?');
  catalog.transaction(() => {
    for (const kind of kinds) stmt.run(jobId, kind);
  });
}

/** One buffered journal write of a running job (see src/jobs/job-journal.ts). */
export type JournalEntry =
  | { readonly type: 'taskDone'; readonly taskId: number; readonly result: JsonValue }
  | { readonly type: 'fileDone'; readonly taskId: number; readonly tabletId: number; readonly name: string }
  | { readonly type: 'attemptError'; readonly taskId: number; readonly message: string }
  | { readonly type: 'taskFailed'; readonly taskId: number; readonly message: string };

/**
 * Apply buffered journal writes in one transaction. Why batched: a job records one row per file and per task; a
 * transaction per row cost more than the file work itself once thousands of small tablets ran. Within a batch,
 * completions go in two statements whatever their number, and the files of a task completed in the same batch are
 * marked done with it (a task is done only once all its files are).
 */
export function applyJournal(catalog: Catalog, entries: readonly JournalEntry[]): void {
  if (entries.length === 0) return;
  const done: [number, string][] = [];
  const doneIds = new Set<number>();
  for (const e of entries) {
    if (e.type === 'taskDone' && !doneIds.has(e.taskId)) {
      doneIds.add(e.taskId);
      done.push([e.taskId, JSON.stringify(e.result)]);
    }
  }
  const fileDone = catalog.prepare(
    "UPDATE job_files SET state = 'done', bytes_done = size WHERE task_id = ? AND tablet_id = ? AND name = ? AND state = 'pending'",
  );
  catalog.transaction(() => {
    for (const e of entries) {
      switch (e.type) {
        case 'fileDone':
          if (!doneIds.has(e.taskId)) fileDone.run(e.taskId, e.tabletId, e.name);
          break;
        case 'attemptError':
          recordTaskAttemptError(catalog, e.taskId, e.message);
          break;
        case 'taskFailed':
          failTask(catalog, e.taskId, e.message);
          break;
        case 'taskDone':
          break;
      }
    }
    if (done.length === 0) return;
    const batch = JSON.stringify(done);
    catalog
      .prepare(
        `UPDATE job_files SET state = 'done', bytes_done = size
         WHERE state = 'pending' AND task_id IN (SELECT value ->> 0 FROM json_each(?))`,
      )
      .run(batch);
    // Only from pending, as completeTask: a late completion of a failed task is ignored.
    catalog
      .prepare(
        `UPDATE job_tasks SET state = 'done', error = NULL, result = d.value ->> 1
         FROM json_each(?) AS d WHERE job_tasks.id = d.value ->> 0 AND job_tasks.state = 'pending'`,
      )
      .run(batch);
  });
}
