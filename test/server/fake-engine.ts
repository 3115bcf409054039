/**
 * A scripted Session for test/server/protocol.test.ts, which tests the wire layer (framing, sequence ids, column
 * definitions, multi-results, streaming with back-pressure, KILL, graceful shutdown) with statements whose behaviour
 * it controls exactly: `select typed` (one row of every wire type), `select rows N`, `sleep N` (runs until done or
 * interrupted: the engine has no SLEEP()), `boom` (an internal error on demand: the real engine throws one only on a
 * bug), `insert N` (an OK with an info text), and a record of executed statements and closed sessions. It implements
 * the Session interface Engine implements; it is not a stand-in for SQL. The server over the real Engine is tested by
 * real-engine, mariadb-cli, auth, concurrency and fuzz tests here and by test/e2e.
 */
import type { PreparedQuery, Session, SessionOptions } from '../../src/engine.ts';
import type { StatementResult } from '../../src/sql/result.ts';
import { okResult, showResult } from '../../src/sql/result.ts';
import { RowStream, type StreamedResult } from '../../src/sql/row-stream.ts';
import { SqlError, sqlError } from '../../src/errors/index.ts';
import { GlobalVariables, SessionVariables } from '../../src/sql/variables/index.ts';
import { parameterLiteral, type ParameterValue } from '../../src/sql/prepared/parameters.ts';
import { placeholderOffsets, substitutePlaceholders } from '../../grammar/placeholders.ts';

export class FakeEngine {
  readonly globals = new GlobalVariables();
  readonly sessions = new Map<number, FakeSession>();
  readonly databases = new Set(['db1', 'information_schema']);
  readonly executed: string[] = [];
  readonly closedSessions: number[] = [];

  #nextId = 1;

  nextConnectionId(): number {
    return this.#nextId++;
  }

  session(options: SessionOptions = {}): Session {
    const session = new FakeSession(this, { ...options, connectionId: options.connectionId ?? this.nextConnectionId() });
    this.sessions.set(session.connectionId, session);
    return session;
  }
}

class FakeSession implements Session {
  readonly connectionId: number;
  readonly user: string;
  readonly host: string;
  database: string | undefined;
  readonly #engine: FakeEngine;
  readonly #variables: SessionVariables;
  #abort = new AbortController();
  #killListeners: (() => void)[] = [];
  current: string | undefined;

  constructor(engine: FakeEngine, options: SessionOptions) {
    this.#engine = engine;
    this.connectionId = options.connectionId ?? 0;
    this.user = options.user ?? 'root';
    this.host = options.host ?? 'localhost';
    this.database = options.database;
    this.#variables = new SessionVariables(engine.globals);
  }

  async execute(sql: string): Promise<StatementResult> {
    let last: StatementResult = okResult();
    for await (const r of this.executeScript(sql)) last = r;
    return last;
  }

  async *executeScript(sql: string): AsyncGenerator<StatementResult, void, void> {
    for (const statement of sql.split(';').map((s) => s.trim()).filter((s) => s !== '')) {
      this.#engine.executed.push(statement);
      this.#abort = new AbortController();
      this.current = statement;
      try {
        yield await this.#run(statement, this.#abort.signal);
      } finally {
        this.current = undefined;
      }
    }
  }

  async stream(sql: string): Promise<StreamedResult> {
    const result = await this.execute(sql);
    return result.kind === 'rows' ? RowStream.of(result) : result;
  }

  async *streamScript(sql: string): AsyncGenerator<StreamedResult, void, void> {
    for await (const result of this.executeScript(sql)) yield result.kind === 'rows' ? RowStream.of(result) : result;
  }

  async #run(sql: string, signal: AbortSignal): Promise<StatementResult> {
    let m: RegExpMatchArray | null;
    if ((m = sql.match(/^select @@(?:(session|global)\.)?(\w+)(?: limit 1)?$/i))) {
      const scope = m[1]?.toUpperCase() as 'SESSION' | 'GLOBAL' | undefined;
      const { value, type } = this.#variables.getTyped(m[2]!, scope);
      return { kind: 'rows', columns: [`@@${m[2]}`], columnTypes: [type], rows: [[String(value)]] };
    }
    if ((m = sql.match(/^set names (\w+)$/i))) {
      this.#variables.setNames(m[1]!);
      return okResult();
    }
    if ((m = sql.match(/^set (?:(session|global) )?(\w+)\s*=\s*'?(\w+)'?$/i))) {
      this.#variables.set(m[2]!, m[3]!, m[1]?.toUpperCase() as 'SESSION' | 'GLOBAL' | undefined);
      return okResult();
    }
    if ((m = sql.match(/^show variables like '([^']*)'$/i))) {
      return showResult(['Variable_name', 'Value'], this.#variables.showRows({ like: m[1]! }));
    }
    if (/^select database\(\)/i.test(sql)) {
      return { kind: 'rows', columns: ['DATABASE()'], columnTypes: [{ name: 'VARCHAR', length: 64 }], rows: [[this.database ?? null]] };
    }
    if (/^select typed$/i.test(sql)) {
      return {
        kind: 'rows',
        columns: ['i', 'b', 'l', 'd', 'f', 's', 'dt', 'n', 'bool'],
        columnTypes: [
          { name: 'INT' }, { name: 'BIGINT' }, { name: 'LARGEINT' }, { name: 'DECIMAL', precision: 10, scale: 2 },
          { name: 'DOUBLE' }, { name: 'VARCHAR', length: 20 }, { name: 'DATE' }, { name: 'INT' }, { name: 'BOOLEAN' },
        ],
        rows: [
          ['42', '9007199254740991', '170141183460469231731687303715884105727', '12.50', '1.5', 'héllo ✓ 日本', '2024-02-29', null, '1'],
          ['-1', '0', '-5', '-0.50', '-2.25', '', '1970-01-01', '7', '0'],
        ],
      };
    }
    if ((m = sql.match(/^select rows (\d+)$/i))) {
      const n = Number(m[1]);
      const rows: string[][] = [];
      for (let i = 0; i < n; i++) rows.push([String(i), `row-${i}-${'x'.repeat(40)}`]);
      return { kind: 'rows', columns: ['id', 'payload'], columnTypes: [{ name: 'INT' }, { name: 'VARCHAR', length: 64 }], rows };
    }
    if ((m = sql.match(/^sleep ([\d.]+)$/i))) {
      const ms = Number(m[1]) * 1000;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(sqlError('ER_QUERY_INTERRUPTED', 'Query execution was interrupted'));
        }, { once: true });
      });
      return okResult(0, `slept ${m[1]}`);
    }
    if ((m = sql.match(/^kill (?:(query|connection) )?(\d+)$/i))) {
      const target = this.#engine.sessions.get(Number(m[2]));
      if (target === undefined) throw sqlError('ER_NO_SUCH_THREAD', `Unknown thread id: ${m[2]}`);
      target.interrupt();
      if (m[1]?.toUpperCase() !== 'QUERY') for (const listener of target.#killListeners.splice(0)) listener();
      return okResult();
    }
    if (/^show processlist$/i.test(sql)) {
      const rows = [...this.#engine.sessions.values()].map((s) => [String(s.connectionId), s.user, s.host, s.database ?? '', s.current === undefined ? 'Sleep' : 'Query', s.current ?? '']);
      return showResult(['Id', 'User', 'Host', 'Db', 'Command', 'Info'], rows);
    }
    if ((m = sql.match(/^insert (\d+)$/i))) return okResult(Number(m[1]), `{'label':'insert_${m[1]}', 'status':'VISIBLE', 'txnId':'1'}`);
    if (/^boom$/i.test(sql)) throw new Error('internal failure');
    throw new SqlError(1064, '42000', `You have an error in your SQL syntax near '${sql.slice(0, 20)}'`);
  }

  /** A prepared scripted statement: its text with the values written in by the real placeholder code, then run. */
  async prepare(sql: string): Promise<PreparedQuery> {
    const markers = placeholderOffsets(sql);
    const results = (values: readonly ParameterValue[]): AsyncGenerator<StreamedResult, void, void> =>
      this.streamScript(substitutePlaceholders(sql, markers, values.map(parameterLiteral)));
    return {
      text: sql,
      parameterCount: markers.length,
      columns: [],
      results,
      execute: async (values) => this.execute(substitutePlaceholders(sql, markers, values.map(parameterLiteral))),
      cursor: async (values) => this.stream(substitutePlaceholders(sql, markers, values.map(parameterLiteral))),
    };
  }

  systemVariable(name: string): bigint | string | null {
    return this.#variables.get(name);
  }

  setNames(charset: string): void {
    this.#variables.setNames(charset);
  }

  useDatabase(name: string): void {
    if (!this.#engine.databases.has(name)) throw sqlError('ER_BAD_DB_ERROR', `Unknown database '${name}'`);
    this.database = name;
  }

  interrupt(): void {
    this.#abort.abort();
  }

  onKill(listener: () => void): void {
    this.#killListeners.push(listener);
  }

  close(): void {
    this.#engine.sessions.delete(this.connectionId);
    this.#engine.closedSessions.push(this.connectionId);
  }
}
