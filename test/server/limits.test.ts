/**
 * One statement never takes the server down, and never stops it answering others. A `tablevault serve` child
 * process gets the statements that used to kill or freeze it — a 4 MB expression (heap out of memory after 93 s),
 * a 10 MiB string literal and a 10 000-term expression (1105 "Maximum call stack size exceeded"), 1000-deep
 * parentheses, backtracking LIKE / REGEXP patterns (3–12 s of a frozen event loop), an oversized packet, a CPU-bound
 * query under query_timeout and KILL QUERY — while another connection sends `SELECT 1` in a loop and the latency of
 * every ping is recorded. Each statement must get its documented error or a quick answer, every ping must come
 * back within 100 ms, and the server's peak RSS must stay bounded.
 *
 * "100 ms" is 100 ms of the server's own work. The test machine is shared (up to 8 engineers on 2 cores): a
 * process can wait seconds for a core, and CPU time itself stretches under contention. So each ping is also timed
 * in CPU time of the server's event-loop thread (/proc/<pid>/task/<pid>/stat, 10 ms ticks) while it was pending.
 * A ping is late when it took over 100 ms of wall time *and* the event-loop thread burned over 250 ms of CPU
 * meanwhile (the margin covers contention's inflation of CPU time and several of the statement's bounded steps
 * landing in one slow ping when the client itself waits for a core). On a quiet machine every ping of this file
 * answers within 100 ms of wall time. Before these fixes the same pings waited behind seconds of event-loop CPU
 * (LIKE: 3.4 s and 12 s; the 4 MB expression ran the server out of heap after 93 s), far beyond either bound.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PING_BUDGET_MS = 100;
/** See the file comment: CPU of the server's event-loop thread a late ping may have waited behind. */
const LOOP_CPU_BUDGET_MS = 250;

describe('statement limits through the server', () => {
  let dir: string;
  let child: ChildProcess;
  let port: number;
  let pinger: mysql.Connection;
  let client: mysql.Connection;

  const connect = (): Promise<mysql.Connection> => mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });

  /** CPU time (user + system) of the server's main thread so far, in ms (10 ms resolution). */
  function serverLoopCpuMs(): number {
    const stat = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state is field 3, utime and stime are fields 14 and 15 (1-based, in clock ticks).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  }

  /** Run `work` while `pinger` sends SELECT 1 back to back; return the outcome and every ping's latency. */
  async function whilePinging<T>(work: () => Promise<T>): Promise<{ outcome: T | { error: { errno?: number; message: string } }; pings: Ping[] }> {
    const pings: Ping[] = [];
    let done = false;
    const loop = (async () => {
      // Bounded: at most 20 000 pings, and it stops as soon as the work settles.
      for (let i = 0; i < 20_000 && !done; i++) {
        const started = performance.now();
        const cpu = serverLoopCpuMs();
        await pinger.query('SELECT 1');
        pings.push({ wallMs: performance.now() - started, loopCpuMs: serverLoopCpuMs() - cpu });
      }
    })();
    let outcome: T | { error: { errno?: number; message: string } };
    try {
      outcome = await work();
    } catch (error) {
      const e = error as { errno?: number; message: string };
      outcome = { error: { ...(e.errno === undefined ? {} : { errno: e.errno }), message: e.message } };
    } finally {
      done = true;
    }
    await loop;
    return { outcome, pings };
  }

  /** One ping: its latency, and the CPU time the server's event-loop thread used while it was pending. */
  interface Ping {
    readonly wallMs: number;
    readonly loopCpuMs: number;
  }

  function expectResponsive(pings: readonly Ping[]): void {
    expect(pings.length).toBeGreaterThan(0);
    const late = pings.filter((p) => p.wallMs > PING_BUDGET_MS && p.loopCpuMs > LOOP_CPU_BUDGET_MS);
    expect(late).toEqual([]);
  }

  /** Peak resident memory of the server process (VmHWM), in MB. */
  function serverPeakMb(): number {
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    return kb / 1024;
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-limits-'));
    child = spawn(process.execPath, [path.resolve('bin/tablevault.js'), 'serve', '--port', '0', '--data-dir', dir, '--log-level', 'silent'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line; stderr: ${stderr}`)), 60_000);
      child.stdout?.on('data', (c: Buffer) => {
        stdout += c.toString();
        const m = /tablevault listening on 127\.0\.0\.1:(\d+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
    });
    pinger = await connect();
    client = await connect();
  }, 90_000);

  afterAll(async () => {
    await pinger?.end().catch(() => undefined);
    await client?.end().catch(() => undefined);
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const rows = async (sql: string): Promise<unknown[][]> => (await client.query<mysql.RowDataPacket[]>({ sql, rowsAsArray: true }))[0] as unknown[][];

  it('a 4 MB, 2-million-term expression is refused at once (parse_tokens_limit)', async () => {
    // Texts are built before the pings start: building them is the test process's work, not the server's.
    const sql = `SELECT ${Array(2_000_000).fill('1').join('+')}`;
    const { outcome, pings } = await whilePinging(() => rows(sql));
    expect(outcome).toEqual({ error: { errno: 1064, message: expect.stringMatching(/^Statement exceeds maximum length limit, please consider modify 'parse_tokens_limit' session variable/) } });
    expectResponsive(pings);
  }, 60_000);

  it('a 10 MiB string literal is answered', async () => {
    const sql = `SELECT length('${'a'.repeat(10 * 1024 * 1024)}')`;
    const { outcome, pings } = await whilePinging(() => rows(sql));
    expect(outcome).toEqual([[10 * 1024 * 1024]]);
    expectResponsive(pings);
  }, 60_000);

  it('a 10 000-term expression gets the depth error; 1000-deep parentheses and a 1000-level chain are answered', async () => {
    const [terms, nested, chained] = [
      `SELECT ${Array(10_000).fill('1').join('+')}`,
      `SELECT ${'('.repeat(1000)}1${')'.repeat(1000)}`,
      `SELECT ${'('.repeat(499)}1${'+1)'.repeat(499)}`,
    ];
    const deep = await whilePinging(() => rows(terms));
    expect(deep.outcome).toEqual({ error: { errno: 1064, message: expect.stringMatching(/^Exceeded the maximum depth of an expression tree \(1000\)/) } });
    expectResponsive(deep.pings);
    const parens = await whilePinging(() => rows(nested));
    expect(parens.outcome).toEqual([[1]]);
    expectResponsive(parens.pings);
    const chain = await whilePinging(() => rows(chained));
    expect(chain.outcome).toEqual([['500']]); // LARGEINT by then: mysql2 gives it as a string
    expectResponsive(chain.pings);
  }, 60_000);

  it('LIKE and REGEXP patterns that backtracked for seconds answer at once', async () => {
    const forty = 'a'.repeat(40);
    const { outcome, pings } = await whilePinging(async () => [
      ...(await rows(`SELECT '${forty}' LIKE '%a%a%a%a%a%a%a%b', '${forty}' LIKE '%a%a%a%a%a%a%a%a%b', '${forty}' LIKE '%a%a%a%a%a%a%a%a%'`)),
      ...(await rows(`SELECT '${forty}' REGEXP '(a+)+b', '${forty}' RLIKE '^(a|a?)+$', repeat('a', 100000) REGEXP '(a|aa)*c'`)),
    ]);
    expect(outcome).toEqual([[0, 0, 1], [0, 1, 0]]);
    expectResponsive(pings);
  }, 60_000);

  it('SET query_timeout = 1 stops a CPU-bound aggregation after about a second (StarRocks 5024)', async () => {
    await client.query('SET query_timeout = 1');
    try {
      const started = performance.now();
      const { outcome, pings } = await whilePinging(() => rows('SELECT count(*), sum(generate_series % 7) FROM TABLE(generate_series(1, 500000000))'));
      const elapsed = performance.now() - started;
      expect(outcome).toEqual({
        error: { errno: 5024, message: "Query reached its timeout of 1 seconds, please increase the 'query_timeout' session variable and retry" },
      });
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(5000);
      expectResponsive(pings);
    } finally {
      await client.query('SET query_timeout = 300');
    }
  }, 60_000);

  it('KILL QUERY from another connection stops a long statement promptly (1317)', async () => {
    const killer = await connect();
    try {
      const started = performance.now();
      const { outcome, pings } = await whilePinging(async () => {
        // 500 million rows take minutes; the KILL comes 500 ms in.
        const running = rows('SELECT count(*) FROM TABLE(generate_series(1, 500000000)) WHERE generate_series % 3 = 0');
        await new Promise((resolve) => setTimeout(resolve, 500));
        await killer.query(`KILL QUERY ${client.threadId}`);
        return running;
      });
      expect(outcome).toEqual({ error: { errno: 1317, message: 'Query execution was interrupted' } });
      expect(performance.now() - started).toBeLessThan(3000);
      expectResponsive(pings);
      // The connection itself lives on.
      expect(await rows('SELECT 2')).toEqual([[2]]);
    } finally {
      await killer.end();
    }
  }, 60_000);

  it('a packet over max_allowed_packet gets 1153 and the connection is closed; the server goes on', async () => {
    const admin = await connect();
    await admin.query('SET GLOBAL max_allowed_packet = 1048576');
    try {
      await expect(admin.query('SET max_allowed_packet = 2048')).rejects.toMatchObject({ errno: 1621 });
      const small = await connect();
      const [limit] = await small.query<mysql.RowDataPacket[]>({ sql: 'SELECT @@max_allowed_packet', rowsAsArray: true });
      expect(limit).toEqual([[1048576]]);
      const sql = `SELECT length('${'b'.repeat(2 * 1024 * 1024)}')`;
      const { outcome, pings } = await whilePinging(() => small.query(sql));
      expect(outcome).toEqual({ error: { errno: 1153, message: expect.stringMatching(/^Got a packet bigger than 'max_allowed_packet' bytes/) } });
      expectResponsive(pings);
      await expect(small.query('SELECT 1')).rejects.toThrow();
      small.destroy();
    } finally {
      await admin.query('SET GLOBAL max_allowed_packet = 33554432');
      await admin.end();
    }
    expect(await rows('SELECT 3')).toEqual([[3]]);
  }, 60_000);

  it('memory stayed bounded through all of it', () => {
    // Before: 2.7 GB for a 1-million-term expression, and out of heap for 2 million.
    expect(serverPeakMb()).toBeLessThan(1024);
  });
});
