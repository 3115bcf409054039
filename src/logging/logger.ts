import { closeSync, openSync, writeSync } from 'node:fs';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { redactUrlUserinfo, SECRET_PROPERTY_KEYS } from './secrets.ts';

export type { Logger } from 'pino';

/**
 * Paths pino censors before a line is written. Secrets are removed here, at the logger, never by hand at call
 * sites: any object logged under one of these keys (at any of these depths) is redacted. Statement text is never
 * logged raw: call sites log grammar's `redactSql` / `redactStatement` output, which masks from the parsed statement.
 */
export const REDACT_PATHS: readonly string[] = [
  'password',
  'secret',
  'properties.password',
  '*.password',
  '*.secret_key',
  'credentials',
  '*.credentials',
  'authToken',
  // Repository properties of every storage kind (SECRET_PROPERTY_KEYS, src/logging/secrets.ts), at two depths.
  ...[...SECRET_PROPERTY_KEYS].flatMap((key) => [`properties['${key}']`, `*.properties['${key}']`]),
  // Start-up options (EngineOptions.rootPassword, serve --root-password).
  'rootPassword',
  '*.rootPassword',
];

export interface LoggerConfig {
  /** pino level; defaults to TABLEVAULT_LOG_LEVEL or 'info' (tests: 'silent' unless set). */
  readonly level?: string;
  /** Where lines go; defaults to stderr so stdout stays clean for query results. */
  readonly destination?: NodeJS.WritableStream | LogFile;
}

/** Create the root logger. Components take `logger.child({ component })`, jobs `child({ jobId, label, state })`. */
export function createLogger(config: LoggerConfig = {}): Logger {
  const level = config.level ?? process.env['TABLEVAULT_LOG_LEVEL'] ?? (process.env['VITEST'] ? 'silent' : 'info');
  const options: LoggerOptions = {
    level,
    base: { app: 'tablevault' },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    // A safety net for text pino's paths cannot reach: a URL with userinfo in a logged string or error message.
    formatters: { log: scrubUrlUserinfo },
  };
  return pino(options, (config.destination ?? process.stderr) as pino.DestinationStream);
}

/** A log destination appending to a file; see {@link logFile}. */
export interface LogFile {
  /** Append one line (pino calls this). */
  write(line: string): void;
  /** Close the file; later lines are dropped. */
  close(): void;
}

/**
 * Append log lines to `file`, created (mode 0600) on the first line, so nothing is created when nothing is logged.
 * For `tablevault sql` on a data dir: its terminal shows results and clean errors, the details go to the file. A file
 * that cannot be written is reported once on stderr; the lines are then dropped.
 */
export function logFile(file: string): LogFile {
  let fd: number | undefined;
  let closed = false;
  return {
    write(line) {
      if (closed) return;
      try {
        fd ??= openSync(file, 'a', 0o600);
        writeSync(fd, line);
      } catch (error) {
        closed = true;
        process.stderr.write(`tablevault: cannot write the log file ${file} (${(error as Error).message}); logging stops\n`);
      }
    },
    close() {
      closed = true;
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** Copy of a log object whose strings (and error message / stack) have URL userinfo masked; as is when clean. */
function scrubUrlUserinfo(object: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(object)) {
    const scrubbed = scrubValue(value);
    if (scrubbed !== value) (out ??= { ...object })[key] = scrubbed;
  }
  return out ?? object;
}

function scrubValue(value: unknown): unknown {
  if (typeof value === 'string') return redactUrlUserinfo(value);
  if (value instanceof Error) {
    const message = redactUrlUserinfo(value.message);
    const stack = value.stack === undefined ? undefined : redactUrlUserinfo(value.stack);
    if (message === value.message && stack === value.stack) return value;
    // A plain copy (pino's err serializer passes it through): the caller's Error object stays untouched.
    const code = (value as { code?: unknown }).code;
    return { type: value.name, message, stack, ...(code === undefined ? {} : { code }) };
  }
  return value;
}
