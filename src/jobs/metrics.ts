/**
 * The engine's OpenMetrics (prom-client), served by `tablevault serve --metrics-port`:
 *
 * - `tablevault_jobs_total{kind,state,status}`: done jobs, read from the job journal at each scrape — so the count
 *   survives restarts and never goes down (the journal keeps every job).
 * - `tablevault_running_jobs{kind}`: jobs not yet done (0 for BACKUP, RESTORE and COPY when none is).
 * - `tablevault_job_duration_seconds{kind,state}` and `tablevault_job_bytes{kind,state}`: histograms of the jobs
 *   that ended while this process ran (create to finish time; bytes transferred).
 * - `tablevault_last_successful_backup_age_seconds{database,schedule}`: seconds since the newest FINISHED BACKUP,
 *   per schedule (`schedule=""`: BACKUPs typed by hand); a schedule that never succeeded counts from its creation,
 *   so "no good backup in X" is one alert rule.
 */
import type client from 'prom-client';
import type { Catalog } from '../catalog/catalog.ts';
import { jobOutcomeCounts, lastGoodBackups, runningJobCounts } from '../catalog/job-metrics.ts';
import { jobFileTotals } from '../catalog/jobs-files.ts';
import type { Clock } from '../util/clock.ts';
import type { JobEvents } from './progress.ts';

/** The metrics of one engine. */
export interface EngineMetrics {
  /** The Content-Type of `render()`'s text (OpenMetrics 1.0). */
  readonly contentType: string;
  /** Every metric, as the exposition text a scrape returns. */
  render(): Promise<string>;
}

const DURATION_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 86_400];
const BYTE_BUCKETS = [1 << 10, 1 << 16, 1 << 20, 16 << 20, 256 << 20, 2 ** 30, 16 * 2 ** 30, 256 * 2 ** 30, 2 ** 40];

/** OpenMetrics 1.0's Content-Type (prom-client's Registry.OPENMETRICS_CONTENT_TYPE), known before prom-client loads. */
const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** One job that ended while this process ran, as the histograms observe it. */
interface JobEnd {
  readonly labels: { readonly kind: string; readonly state: string };
  readonly seconds: number;
  readonly bytes: number;
}

/**
 * Subscribe to job ends now; build the registry on the first scrape. Why: prom-client takes ~75 ms to load, paid by
 * every `tablevault sql -e` and every embedded Engine.open, while only `serve --metrics-port` ever renders. Jobs that
 * end before the first scrape are kept (a few numbers each) and observed then. The returned `dispose` unsubscribes
 * (engine close).
 */
export function createEngineMetrics(deps: { catalog: Catalog; clock: Clock; events: JobEvents }): EngineMetrics & { dispose(): void } {
  const { catalog, clock, events } = deps;
  const ended: JobEnd[] = [];
  let observe: ((end: JobEnd) => void) | undefined;
  let built: Promise<client.Registry<client.OpenMetricsContentType>> | undefined;
  const off = events.on('done', (job) => {
    const end: JobEnd = {
      labels: { kind: job.kind, state: job.state },
      seconds: Math.max(0, (job.finishedTime > 0 ? job.finishedTime : clock.now()) - job.createTime) / 1000,
      bytes: jobFileTotals(catalog, job.id).bytesDone,
    };
    if (observe === undefined) ended.push(end);
    else observe(end);
  });
  const build = async (): Promise<client.Registry<client.OpenMetricsContentType>> => {
    const prom = (await import('prom-client')).default;
    const { registry, observeEnd } = buildRegistry(prom, catalog, clock);
    for (const end of ended.splice(0)) observeEnd(end);
    observe = observeEnd;
    return registry;
  };
  return {
    contentType: OPENMETRICS_CONTENT_TYPE,
    render: async () => (await (built ??= build())).metrics(),
    dispose: off,
  };
}

/** The registry with every metric; `observeEnd` records a job end in the histograms. */
function buildRegistry(
  prom: typeof client,
  catalog: Catalog,
  clock: Clock,
): { registry: client.Registry<client.OpenMetricsContentType>; observeEnd: (end: JobEnd) => void } {
  // Own registry, not prom-client's global one: two engines in one process (tests, embedding) must not mix.
  const registry = new prom.Registry<client.OpenMetricsContentType>();
  registry.setContentType(prom.Registry.OPENMETRICS_CONTENT_TYPE);
  new prom.Counter({
    name: 'tablevault_jobs',
    help: 'Jobs done, by kind, terminal state (FINISHED or CANCELLED) and status code.',
    labelNames: ['kind', 'state', 'status'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of jobOutcomeCounts(catalog)) this.inc({ kind: c.kind, state: c.state, status: c.statusCode }, c.count);
    },
  });
  new prom.Gauge({
    name: 'tablevault_running_jobs',
    help: 'Jobs not yet done, by kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      // The kinds every engine runs always have a sample, so "running_jobs == 0" is a query, not an absent series.
      for (const kind of ['BACKUP', 'RESTORE', 'COPY']) this.set({ kind }, 0);
      for (const [kind, n] of runningJobCounts(catalog)) this.set({ kind }, n);
    },
  });
  new prom.Gauge({
    name: 'tablevault_last_successful_backup_age_seconds',
    help: 'Seconds since the newest FINISHED BACKUP of the database by the schedule ("" = typed by hand); since creation for a schedule that never succeeded.',
    labelNames: ['database', 'schedule'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const now = clock.now();
      for (const b of lastGoodBackups(catalog)) this.set({ database: b.database, schedule: b.schedule }, Math.max(0, (now - b.since) / 1000));
    },
  });
  const duration = new prom.Histogram({
    name: 'tablevault_job_duration_seconds',
    help: 'Time from submission to the end of jobs that ended while this process ran, by kind and terminal state.',
    labelNames: ['kind', 'state'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const bytes = new prom.Histogram({
    name: 'tablevault_job_bytes',
    help: 'Bytes transferred (uploaded, downloaded or copied) by jobs that ended while this process ran, by kind and terminal state.',
    labelNames: ['kind', 'state'] as const,
    buckets: BYTE_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    observeEnd: (end) => {
      duration.observe(end.labels, end.seconds);
      bytes.observe(end.labels, end.bytes);
    },
  };
}
