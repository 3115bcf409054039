/**
 * Statement load from another process: CLIENTS mysql2 connections each sending one statement back to back, for
 * latency under load. The clients live in a child process, so their own parsing does not compete with the server
 * for its event loop: what is measured is the server.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** Latency summary of a run. */
export interface Latencies {
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly ms: number;
}

export function summarize(all: readonly number[], ms: number): Latencies {
  const sorted = [...all].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { samples: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN, ms };
}

/** Send `SQL` back to back until a line arrives on stdin, then print every round-trip time (ms) as one JSON line. */
const CLIENT_SCRIPT = `
const mysql = (await import(process.env.MYSQL2_URL)).default;
const conns = await Promise.all(Array.from({ length: Number(process.env.CLIENTS) }, () =>
  mysql.createConnection({ host: '127.0.0.1', port: Number(process.env.PORT), user: 'root', rowsAsArray: true })));
let running = true;
process.stdin.once('data', () => (running = false));
process.stdout.write('ready\\n');
const times = [];
await Promise.all(conns.map(async (c) => {
  while (running) {
    const t0 = performance.now();
    await c.query(process.env.SQL);
    times.push(performance.now() - t0);
  }
}));
for (const c of conns) c.destroy();
// A pipe is written asynchronously: exit only once the whole line is out.
process.stdout.write(JSON.stringify(times) + '\\n', () => process.exit(0));
`;

/** Start the client process; resolves once its connections are open, with `stop()` returning the round-trip times. */
export async function startClients(port: number, clients: number, sql: string): Promise<{ stop(): Promise<number[]> }> {
  const mysql2Url = pathToFileURL(createRequire(import.meta.url).resolve('mysql2/promise')).href;
  const child = spawn(process.execPath, ['--input-type=module', '-e', CLIENT_SCRIPT], {
    env: { ...process.env, MYSQL2_URL: mysql2Url, CLIENTS: String(clients), PORT: String(port), SQL: sql },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (out.startsWith('ready\n')) {
        child.stdout.off('data', check);
        resolve();
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => reject(new Error(`client process exited ${code} before it was ready`)));
  });
  return {
    async stop() {
      child.stdin.end('stop\n');
      const code = await exited;
      if (code !== 0) throw new Error(`client process exited ${code}`);
      return JSON.parse(out.slice('ready\n'.length)) as number[];
    },
  };
}

/** Run the clients for `until` ms, or until it settles; returns the round-trip times. */
export async function hammer(port: number, clients: number, sql: string, until: number | Promise<unknown>): Promise<number[]> {
  const load = await startClients(port, clients, sql);
  await (typeof until === 'number' ? new Promise((r) => setTimeout(r, until)) : until);
  return load.stop();
}
