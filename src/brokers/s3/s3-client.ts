import http from 'node:http';
import https from 'node:https';

import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

import type { S3Properties } from '../properties.ts';

/** How the S3 adapter talks to its endpoint: the resolved, non-secret part of the configuration (safe to log). */
export interface S3Endpoint {
  /** Full endpoint URL, or undefined for AWS's own regional endpoints. */
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly forcePathStyle: boolean;
}

/** Tuning knobs; the defaults suit both AWS and small self-hosted servers. */
export interface S3ClientTuning {
  /**
   * Total attempts per request inside the SDK (first try + retries) for 5xx, 429/throttling and network errors —
   * this is what retries each part of a multipart upload on its own. Default 3; ResilientBroker retries whole
   * operations on top.
   */
  readonly maxAttempts?: number;
  /** Concurrent sockets per client. Default 64. */
  readonly maxSockets?: number;
  /** TCP connect timeout in ms. Default 10 s. */
  readonly connectionTimeoutMs?: number;
  /**
   * A socket that stays silent this long is closed and its request fails (retryable), so a server that accepts
   * connections and never answers cannot hold a request forever. Default 60 s; the broker's own deadlines (see
   * ResilientBroker) bound each whole operation on top of this.
   */
  readonly socketTimeoutMs?: number;
}

/** Schemes whose vendors only serve virtual-hosted-style requests (bucket in the host name). */
const VIRTUAL_HOSTED_VENDORS = new Set(['oss', 'cos', 'obs']);

export function resolveEndpoint(scheme: string, props: S3Properties): S3Endpoint {
  let endpoint: string | undefined;
  if (props.endpoint !== undefined) {
    endpoint = /^https?:\/\//i.test(props.endpoint) ? props.endpoint : `${props.ssl ? 'https' : 'http'}://${props.endpoint}`;
    endpoint = endpoint.replace(/\/+$/, '');
  }
  // Self-hosted servers (MinIO, Ceph, s3rver) rarely have wildcard DNS for bucket host names, so an explicit endpoint
  // means path-style unless told otherwise — except for vendors that refuse path-style requests.
  const forcePathStyle = props.pathStyle ?? (endpoint !== undefined && !VIRTUAL_HOSTED_VENDORS.has(scheme));
  const region = props.region ?? (endpoint === undefined ? undefined : regionFromEndpoint(endpoint)) ?? 'us-east-1';
  return { endpoint, region, forcePathStyle };
}

/** Region from the well-known endpoint host patterns (AWS, OSS, COS, OBS); S3-compatible servers ignore it. */
export function regionFromEndpoint(endpoint: string): string | undefined {
  const host = endpoint.replace(/^https?:\/\//i, '').split(/[/:]/)[0] ?? '';
  const patterns = [
    /^s3[.-]([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/,
    /^oss-([a-z0-9-]+?)(-internal)?\.aliyuncs\.com$/,
    /^cos\.([a-z0-9-]+)\.myqcloud\.com$/,
    /^obs\.([a-z0-9-]+)\.myhuaweicloud\.com$/,
  ];
  for (const pattern of patterns) {
    const region = pattern.exec(host)?.[1];
    if (region !== undefined && region !== 'external-1') return region;
  }
  return undefined;
}

export function createS3Client(endpoint: S3Endpoint, props: S3Properties, tuning: S3ClientTuning = {}): S3Client {
  const maxSockets = tuning.maxSockets ?? 64;
  const config: S3ClientConfig = {
    region: endpoint.region,
    forcePathStyle: endpoint.forcePathStyle,
    // The SDK's default flexible checksums use aws-chunked trailers that several S3-compatible servers (s3rver among
    // them) store verbatim, corrupting objects; checksums only where the API requires them work everywhere.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // "standard" = exponential backoff with full jitter on 5xx, 429/throttling and transient network errors.
    retryMode: 'standard',
    maxAttempts: tuning.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: tuning.connectionTimeoutMs ?? 10_000,
      socketTimeout: tuning.socketTimeoutMs ?? 60_000,
      httpAgent: new http.Agent({ keepAlive: true, maxSockets }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets }),
    },
    ...(endpoint.endpoint === undefined ? {} : { endpoint: endpoint.endpoint }),
    ...(props.accessKeyId !== undefined && props.secretAccessKey !== undefined
      ? { credentials: { accessKeyId: props.accessKeyId, secretAccessKey: props.secretAccessKey } }
      : {}), // otherwise the SDK's default chain: environment, shared config, instance profile
  };
  return new S3Client(config);
}
