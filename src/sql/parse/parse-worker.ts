/**
 * Worker thread entry: parses statements sent by ParseWorker (worker-pool.ts) and posts back the AST or the error.
 * It runs the same parser with the same limits as the main thread; only the thread differs (and its stack, which
 * is larger, so deep but legal nesting parses here).
 */
import { parentPort } from 'node:worker_threads';
import { parseStatement } from '../../../grammar/index.ts';
import { isSqlError } from '../../errors/index.ts';
import type { ParseReply, ParseRequest } from './worker-pool.ts';

const port = parentPort;
if (port === null) throw new Error('parse-worker.ts runs only as a worker thread');

port.on('message', (request: ParseRequest) => {
  let reply: ParseReply;
  try {
    const text = Buffer.from(request.utf8.buffer, request.utf8.byteOffset, request.utf8.byteLength).toString('utf8');
    reply = { id: request.id, statement: parseStatement(text, request.limits) };
  } catch (error) {
    reply = isSqlError(error)
      ? { id: request.id, error: { errno: error.errno, sqlState: error.sqlState, message: error.message, line: error.line, column: error.column } }
      : { id: request.id, error: { errno: 1105, sqlState: 'HY000', message: `Internal parser error: ${error instanceof Error ? error.message : String(error)}` } };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });
