/**
 * The HTTP side of `tablevault serve --metrics-port N`: `GET /metrics` answers the engine's OpenMetrics text;
 * anything else is 404. Scrapes read the catalog, so they are answered one at a time by the event loop like any
 * statement, and never hold a lock across an await.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EngineMetrics } from '../jobs/metrics.ts';
import type { Logger } from '../logging/logger.ts';

/** A listening metrics endpoint. */
export interface MetricsServer {
  /** The port it listens on (the one asked for, or the one the OS chose for 0). */
  readonly port: number;
  /** Stop listening and close idle keep-alive connections. */
  close(): Promise<void>;
}

/** Listen on host:port; rejects (EADDRINUSE…) before anything is served. */
export async function startMetricsServer(metrics: EngineMetrics, options: { host: string; port: number; logger: Logger }): Promise<MetricsServer> {
  const log = options.logger.child({ component: 'metrics' });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://metrics');
    if (req.method !== 'GET' || url.pathname !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: scrape GET /metrics\n');
      return;
    }
    metrics.render().then(
      (body) => res.writeHead(200, { 'content-type': metrics.contentType }).end(body),
      (error: unknown) => {
        log.error({ err: error }, 'metrics scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${(error as Error).message}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ host: options.host, port }, 'metrics endpoint listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
