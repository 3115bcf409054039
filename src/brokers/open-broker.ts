import type { Logger } from 'pino';

import { redactUrl } from '../logging/secrets.ts';
import type { Broker } from './broker.ts';
import { WebHdfsBroker } from './hdfs/webhdfs-broker.ts';
import { LocalBroker } from './local/local-broker.ts';
import { parseLocation } from './location.ts';
import { checkFileProperties, parseHdfsProperties, parseS3Properties } from './properties.ts';
import { S3Broker } from './s3/s3-broker.ts';
import { createS3Client, resolveEndpoint, type S3ClientTuning } from './s3/s3-client.ts';

export { SECRET_PROPERTY_KEYS, redactProperties, acceptedPropertyKeys } from './properties.ts';

export interface OpenBrokerOptions {
  /** Parent logger; the broker logs under `{ component: 'broker', scheme, location }` (secrets are never logged). */
  readonly logger?: Logger;
  /** S3 client tuning (tests lower the retry count; defaults suit production). */
  readonly s3?: S3ClientTuning;
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
  switch (parsed.kind) {
    case 'file': {
      checkFileProperties(properties);
      return new LocalBroker(parsed.path, parsed.location);
    }
    case 's3': {
      const props = parseS3Properties(parsed.scheme, properties);
      const endpoint = resolveEndpoint(parsed.scheme, props);
      logger?.debug({ endpoint: endpoint.endpoint === undefined ? 'aws' : redactUrl(endpoint.endpoint), region: endpoint.region, pathStyle: endpoint.forcePathStyle }, 'opening S3 broker');
      return new S3Broker({
        client: createS3Client(endpoint, props, options.s3),
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
