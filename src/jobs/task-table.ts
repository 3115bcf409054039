import type { Catalog } from '../catalog/catalog.ts';
import { jobFileTotals, listJobPendingFiles, type FileTotals } from '../catalog/jobs-files.ts';
import { deleteTasks, ensureTasks, listTasks, markTasksReleased } from '../catalog/jobs-tasks.ts';
import type { JobFileRow, JobTaskRow, JsonValue, NewTask, TaskKind, TaskState } from '../catalog/jobs-types.ts';

/**
 * The tasks of one running job, held in memory by the process that runs it: rows, files still to transfer, and the
 * count of unfinished tasks per kind. Why: a job's state runs again after every finished task, and reading (and
 * decoding) the job's tasks from the catalog each time made bookkeeping grow with tablets². The catalog stays the
 * durable record: creations, releases and deletions are written through at once; completions are journaled in
 * batches (job-journal.ts) and may lag — after a crash a task or a file is done again, never skipped.
 */
export class TaskTable {
  readonly #catalog: Catalog;
  readonly #jobId: number;
  /** By id; ids grow with creation, so iteration is creation order. */
  #rows = new Map<number, JobTaskRow>();
  /** Files not yet transferred, per task, by `tabletId/name` (in the journal's order). */
  #pending = new Map<number, Map<string, JobFileRow>>();
  #unfinished = new Map<TaskKind, number>();
  #totals: { filesDone: number; filesTotal: number; bytesDone: number; bytesTotal: number };

  private constructor(catalog: Catalog, jobId: number, totals: FileTotals) {
    this.#catalog = catalog;
    this.#jobId = jobId;
    this.#totals = { ...totals };
  }

  /** An empty table for a job just submitted. */
  static empty(catalog: Catalog, jobId: number): TaskTable {
    return new TaskTable(catalog, jobId, { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 });
  }

  /** The table of a job taken over from the catalog (recovery, cancel of a job this process did not run). */
  static load(catalog: Catalog, jobId: number): TaskTable {
    const table = new TaskTable(catalog, jobId, jobFileTotals(catalog, jobId));
    for (const row of listTasks(catalog, jobId)) table.#add(row);
    for (const f of listJobPendingFiles(catalog, jobId)) {
      let files = table.#pending.get(f.taskId);
      if (files === undefined) table.#pending.set(f.taskId, (files = new Map()));
      files.set(fileKey(f.tabletId, f.name), f);
    }
    return table;
  }

  /** Transfer totals of the job: files and bytes done and in all. */
  get totals(): FileTotals {
    return this.#totals;
  }

  /** Create the tasks not yet created (by task key) and return the rows of all given keys, in the given order. */
  ensure(tasks: readonly NewTask[]): JobTaskRow[] {
    const rows = ensureTasks(this.#catalog, this.#jobId, tasks);
    return rows.map((row, i) => {
      const known = this.#rows.get(row.id);
      if (known !== undefined) return known;
      this.#add(row);
      const files = tasks[i]?.files ?? [];
      if (files.length > 0) {
        this.#pending.set(
          row.id,
          new Map(
            files.map((f) => [
              fileKey(f.tabletId, f.name),
              { taskId: row.id, jobId: this.#jobId, tabletId: f.tabletId, name: f.name, size: f.size, md5: f.md5, state: 'pending', bytesDone: 0 },
            ]),
          ),
        );
        for (const f of files) {
          this.#totals.filesTotal++;
          this.#totals.bytesTotal += f.size;
        }
      }
      return row;
    });
  }

  /** One task. */
  get(taskId: number): JobTaskRow | undefined {
    return this.#rows.get(taskId);
  }

  /** Tasks, optionally of one kind, in creation order. */
  list(kind?: TaskKind): JobTaskRow[] {
    const out: JobTaskRow[] = [];
    for (const row of this.#rows.values()) if (kind === undefined || row.kind === kind) out.push(row);
    return out;
  }

  /** Tasks of `kind` neither done nor released. */
  unfinished(kind: TaskKind): number {
    return this.#unfinished.get(kind) ?? 0;
  }

  /** Files of a task not yet transferred. */
  pendingFiles(taskId: number): readonly JobFileRow[] {
    const files = this.#pending.get(taskId);
    return files === undefined ? [] : [...files.values()];
  }

  /** Record a file transferred; returns its row, or undefined when it was not pending. */
  fileDone(taskId: number, tabletId: number, name: string): JobFileRow | undefined {
    const files = this.#pending.get(taskId);
    const key = fileKey(tabletId, name);
    const file = files?.get(key);
    if (files === undefined || file === undefined) return undefined;
    files.delete(key);
    this.#totals.filesDone++;
    this.#totals.bytesDone += file.size;
    return file;
  }

  /** Record a task done with its result (only from pending, as the catalog does). */
  complete(taskId: number, result: JsonValue): boolean {
    return this.#setState(taskId, 'done', { result, error: null });
  }

  /** Record a failed attempt that will be retried. */
  attemptFailed(taskId: number, message: string): void {
    const row = this.#rows.get(taskId);
    if (row !== undefined) this.#rows.set(taskId, { ...row, error: message, attempts: row.attempts + 1 });
  }

  /** Record a task failed for good. */
  fail(taskId: number, message: string): void {
    const row = this.#rows.get(taskId);
    if (row !== undefined && row.state === 'pending') this.#setState(taskId, 'failed', { error: message, attempts: row.attempts + 1 });
  }

  /** Mark finished snapshot tasks released (written through). */
  markReleased(taskIds: readonly number[]): void {
    markTasksReleased(this.#catalog, taskIds);
    for (const id of taskIds) {
      const row = this.#rows.get(id);
      if (row?.state === 'done') this.#rows.set(id, { ...row, state: 'released' });
    }
  }

  /** Delete the tasks of the given kinds and their files (written through). */
  delete(kinds: readonly TaskKind[]): void {
    deleteTasks(this.#catalog, this.#jobId, kinds);
    for (const [id, row] of [...this.#rows]) {
      if (!kinds.includes(row.kind)) continue;
      this.#rows.delete(id);
      this.#pending.delete(id);
      if (row.state !== 'done' && row.state !== 'released') this.#unfinished.set(row.kind, this.unfinished(row.kind) - 1);
    }
    this.#totals = jobFileTotals(this.#catalog, this.#jobId);
  }

  #add(row: JobTaskRow): void {
    this.#rows.set(row.id, row);
    if (row.state !== 'done' && row.state !== 'released') this.#unfinished.set(row.kind, this.unfinished(row.kind) + 1);
  }

  #setState(taskId: number, state: TaskState, fields: Partial<Pick<JobTaskRow, 'result' | 'error' | 'attempts'>>): boolean {
    const row = this.#rows.get(taskId);
    if (row === undefined || row.state !== 'pending') return false;
    this.#rows.set(taskId, { ...row, ...fields, state });
    if (state === 'done') this.#unfinished.set(row.kind, this.unfinished(row.kind) - 1);
    return true;
  }
}

function fileKey(tabletId: number, name: string): string {
  return `${tabletId}/${name}`;
}
