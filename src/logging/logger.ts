import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino censors before a line is written. Secrets are removed here, at the logger, never by hand at call
 * sites: any object logged under one of these keys (at any of these depths) is redacted.
 */
export const REDACT_PATHS: readonly string[] = [
  'password',
  'secret',
  'properties.password',
  '*.password',
  '*.secret_key',
  "properties['aws.s3.secret_key']",
  "properties['aws.s3.access_key']",
  "properties['fs.s3a.secret.key']",
  "properties['fs.s3a.access.key']",
  "properties['fs.oss.accessKeySecret']",
  "properties['fs.cosn.userinfo.secretKey']",
  "*.properties['aws.s3.secret_key']",
  "*.properties['aws.s3.access_key']",
  "*.properties['fs.s3a.secret.key']",
  'credentials',
  '*.credentials',
  'authToken',
  // Repository properties of every storage kind (src/brokers/properties.ts SECRET_PROPERTY_KEYS), at two depths.
  "*.properties['fs.s3a.access.key']",
  "properties['fs.oss.accessKeyId']",
  "*.properties['fs.oss.accessKeyId']",
  "*.properties['fs.oss.accessKeySecret']",
  "properties['fs.obs.access.key']",
  "*.properties['fs.obs.access.key']",
  "properties['fs.obs.secret.key']",
  "*.properties['fs.obs.secret.key']",
  "properties['fs.cosn.userinfo.secretId']",
  "*.properties['fs.cosn.userinfo.secretId']",
  "*.properties['fs.cosn.userinfo.secretKey']",
  '*.properties.password',
  // Start-up options (EngineOptions.rootPassword, serve --root-password).
  'rootPassword',
  '*.rootPassword',
];

export interface LoggerConfig {
  /** pino level; defaults to TABLEVAULT_LOG_LEVEL or 'info' (tests: 'silent' unless set). */
  readonly level?: string;
  /** Where lines go; defaults to stderr so stdout stays clean for query results. */
  readonly destination?: NodeJS.WritableStream;
}

/** Create the root logger. Components take `logger.child({ component })`, jobs `child({ jobId, label, state })`. */
export function createLogger(config: LoggerConfig = {}): Logger {
  const level = config.level ?? process.env['TABLEVAULT_LOG_LEVEL'] ?? (process.env['VITEST'] ? 'silent' : 'info');
  const options: LoggerOptions = {
    level,
    base: { app: 'tablevault' },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
  };
  return pino(options, (config.destination ?? process.stderr) as pino.DestinationStream);
}
