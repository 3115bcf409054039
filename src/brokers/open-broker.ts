import type { Logger } from 'pino';

import { redactUrl } from '../logging/secrets.ts';
import type { Clock } from '../util/clock.ts';
import type { Broker } from './broker.ts';
import { DEFAULT_BROKER_POLICY, parseBrokerPolicy, type BrokerPolicy } from './broker-policy.ts';
import { WebHdfsBroker } from './hdfs/webhdfs-broker.ts';
import { LocalBroker } from './local/local-broker.ts';
import { parseLocation } from './location.ts';
import { checkFileProperties, parseHdfsProperties, parseS3Properties } from './properties.ts';
import { ResilientBroker } from './resilient-broker.ts';
import { S3Broker } from './s3/s3-broker.ts';
import { createS3Client, resolveEndpoint, type S3ClientTuning } from './s3/s3-client.ts';

export { SECRET_PROPERTY_KEYS, redactProperties, acceptedPropertyKeys } from './properties.ts';
export { DEFAULT_BROKER_POLICY, POLICY_PROPERTY_KEYS, type BrokerPolicy } from './broker-policy.ts';

export interface OpenBrokerOptions {
  /** Parent logger; the broker logs under `{ component: 'broker', scheme, location }` (secrets are never logged). */
  readonly logger?: Logger;
  /** S3 client tuning (tests lower the retry count; defaults suit production). */
  readonly s3?: S3ClientTuning;
  /**
   * Deadlines and retries when the repository's properties do not set them (`tablevault.request_timeout_ms`, …);
   * default DEFAULT_BROKER_POLICY.
   */
  readonly policy?: Partial<BrokerPolicy>;
  /** Time source of deadlines and retry backoff. */
  readonly clock?: Clock;
}

/**
 * Open the broker for a repository location (`file:///abs`, `s3://bucket/prefix` and the s3a/obs/oss/cos spellings,
 * `hdfs://namenode:port/path`), validating the CREATE REPOSITORY properties for that scheme.
 *
 * Rejects with BrokerError('INVALID_ARGUMENT') for a malformed location, an unsupported scheme, an unknown or
 * conflicting property — messages name the offending key and list what is accepted, and never contain a secret.
 */
export async function openBroker(location: string, properties: Readonly<Record<string, string>>, options: OpenBrokerOptions = {}): Promise<Broker> {
  const parsed = parseLocation(location);
  const logger = options.logger?.child({ component: 'broker', location: parsed.location });
  const policy = parseBrokerPolicy(properties, { ...DEFAULT_BROKER_POLICY, ...options.policy });
  const adapter = openAdapter(parsed, properties, policy, options, logger);
  // Every adapter gets the same deadlines and retries (a storage that never answers fails the call, in time).
  return new ResilientBroker(adapter, { policy, ...(options.clock ? { clock: options.clock } : {}), ...(logger ? { logger } : {}) });
}

function openAdapter(
  parsed: ReturnType<typeof parseLocation>,
  properties: Readonly<Record<string, string>>,
  policy: BrokerPolicy,
  options: OpenBrokerOptions,
  logger: Logger | undefined,
): Broker {
  switch (parsed.kind) {
    case 'file': {
      checkFileProperties(properties);
      return new LocalBroker(parsed.path, parsed.location);
    }
    case 's3': {
      const props = parseS3Properties(parsed.scheme, properties);
      const endpoint = resolveEndpoint(parsed.scheme, props);
      logger?.debug({ endpoint: endpoint.endpoint === undefined ? 'aws' : redactUrl(endpoint.endpoint), region: endpoint.region, pathStyle: endpoint.forcePathStyle }, 'opening S3 broker');
      // Sockets silent for the stall deadline are closed, so the SDK's own retries cannot wait on a dead connection.
      const tuning: S3ClientTuning = {
        socketTimeoutMs: Math.max(policy.stallTimeoutMs, policy.requestTimeoutMs),
        connectionTimeoutMs: Math.min(10_000, policy.requestTimeoutMs),
        ...options.s3,
      };
      return new S3Broker({
        client: createS3Client(endpoint, props, tuning),
        bucket: parsed.bucket,
        prefix: parsed.prefix,
        location: parsed.location,
        scheme: parsed.scheme,
        ...(logger === undefined ? {} : { logger }),
      });
    }
    case 'hdfs': {
      const props = parseHdfsProperties(properties);
      logger?.debug({ user: props.username ?? null }, 'opening WebHDFS broker');
      return new WebHdfsBroker({ host: parsed.host, port: parsed.port, rootPath: parsed.path, user: props.username, location: parsed.location });
    }
  }
}
