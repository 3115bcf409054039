import type { Catalog } from './catalog.ts';

/**
 * Set a running job's Status without a transition: what SHOW BACKUP / SHOW RESTORE show while a state's error is
 * retried (StarRocks shows a retried UPLOAD_INFO error in Status the same way), and OK again once it passes. Only a
 * job that is not done is touched: a terminal status is never overwritten.
 */
export function setRunningJobStatus(catalog: Catalog, jobId: number, status: { readonly code: string; readonly msg: string }): void {
  catalog.prepare('UPDATE jobs SET status_code = ?, status_msg = ? WHERE id = ? AND done = 0').run(status.code, status.msg, jobId);
}
