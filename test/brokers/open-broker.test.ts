import { Writable } from 'node:stream';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { BrokerError } from '../../src/brokers/broker.ts';
import { parseLocation } from '../../src/brokers/location.ts';
import { acceptedPropertyKeys, openBroker, redactProperties, SECRET_PROPERTY_KEYS } from '../../src/brokers/open-broker.ts';
import { regionFromEndpoint, resolveEndpoint } from '../../src/brokers/s3/s3-client.ts';
import { parseS3Properties } from '../../src/brokers/properties.ts';
import { createLogger } from '../../src/logging/logger.ts';

async function openError(location: string, properties: Record<string, string> = {}): Promise<BrokerError> {
  const error = await openBroker(location, properties).then(
    async (broker) => {
      await broker.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BrokerError);
  expect((error as BrokerError).code).toBe('INVALID_ARGUMENT');
  return error as BrokerError;
}

const S3_KEYS = { 'aws.s3.access_key': 'AKIAEXAMPLE', 'aws.s3.secret_key': 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

describe('openBroker: locations', () => {
  it('opens each scheme on its adapter', async () => {
    const cases: [string, Record<string, string>, string, string][] = [
      ['file:///tmp/tv-repo/', {}, 'file', 'file:///tmp/tv-repo'],
      ['s3://my-bucket/backups/', S3_KEYS, 's3', 's3://my-bucket/backups'],
      ['s3a://my-bucket', S3_KEYS, 's3a', 's3a://my-bucket'],
      ['oss://my-bucket/x', { 'fs.oss.accessKeyId': 'id', 'fs.oss.accessKeySecret': 'sk', 'fs.oss.endpoint': 'oss-cn-hangzhou.aliyuncs.com' }, 'oss', 'oss://my-bucket/x'],
      ['cos://my-bucket/x', { 'fs.cosn.userinfo.secretId': 'id', 'fs.cosn.userinfo.secretKey': 'sk', 'fs.cosn.bucket.endpoint_suffix': 'cos.ap-guangzhou.myqcloud.com' }, 'cos', 'cos://my-bucket/x'],
      ['obs://my-bucket/x', { 'fs.obs.access.key': 'id', 'fs.obs.secret.key': 'sk', 'fs.obs.endpoint': 'obs.cn-north-4.myhuaweicloud.com' }, 'obs', 'obs://my-bucket/x'],
      ['hdfs://namenode:9870/user/tv/', { username: 'tv', password: 'pw' }, 'hdfs', 'hdfs://namenode:9870/user/tv'],
      ['hdfs://namenode/backup', {}, 'hdfs', 'hdfs://namenode:9870/backup'],
    ];
    for (const [location, props, scheme, shown] of cases) {
      const broker = await openBroker(location, props);
      expect(broker.scheme).toBe(scheme);
      expect(broker.location).toBe(shown);
      await broker.close();
    }
  });

  it('rejects bad locations with the accepted forms', async () => {
    for (const location of ['file://relative/path', 'relative/path', '/abs/no/scheme', 's3://', 's3:///prefix', 'ftp://host/x', 'hdfs:///path', 'file:///a/../b', 's3://B/x']) {
      const error = await openError(location);
      expect(error.message).toContain('Accepted forms: file:///absolute/path, s3://bucket[/prefix]');
    }
    expect((await openError('ftp://host/x')).message).toContain('"ftp" is not supported');
    expect((await openError('s3:///prefix')).message).toContain('bucket is missing');
    expect((await openError('file://relative/path')).message).toContain('absolute path');
  });

  it('never echoes credentials written into a location', async () => {
    for (const location of ['s3://AKIA:sec/ret@bucket/x', 'hdfs://user:p4ss@nn:9870/x', 'file://u:p4ss@host/x']) {
      const error = await openError(location);
      expect(error.message).not.toMatch(/sec\/ret|p4ss|AKIA/);
    }
  });

  it('parses locations (property: every valid bucket/prefix round-trips)', () => {
    const segment = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
    const bucket = fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/);
    fc.assert(
      fc.property(fc.constantFrom('s3', 's3a', 'oss', 'cos', 'obs'), bucket, fc.array(segment, { maxLength: 4 }), (scheme, b, segments) => {
        const prefix = segments.join('/');
        const parsed = parseLocation(`${scheme}://${b}/${prefix}/`);
        expect(parsed).toEqual({ kind: 's3', scheme, bucket: b, prefix, location: `${scheme}://${b}${prefix === '' ? '' : `/${prefix}`}` });
      }),
    );
  });
});

describe('openBroker: properties', () => {
  it('names an unknown key and lists the accepted ones', async () => {
    const error = await openError('s3://bucket-1/x', { ...S3_KEYS, 'aws.s3.acces_key': 'typo' });
    expect(error.message).toContain('Unknown repository property "aws.s3.acces_key"');
    expect(error.message).toContain('aws.s3.endpoint');
    expect(error.message).toContain('fs.s3a.path.style.access');
    expect((await openError('hdfs://nn:9870/x', { 'aws.s3.access_key': 'x' })).message).toContain(
      'Accepted properties: password, tablevault.max_attempts, tablevault.request_timeout_ms, tablevault.retry_base_ms, tablevault.retry_max_ms, tablevault.stall_timeout_ms, username',
    );
    // A file:// location takes only the deadline and retry settings every storage kind has.
    expect((await openError('file:///tmp/x', { username: 'x' })).message).toContain('Accepted properties: tablevault.max_attempts, tablevault.request_timeout_ms');
    // Vendor spellings belong to their own scheme only.
    expect((await openError('s3://bucket-1/x', { 'fs.oss.endpoint': 'x' })).message).toContain('"fs.oss.endpoint"');
  });

  it('checks values: booleans, key pairs, conflicts, unsupported options', async () => {
    expect((await openError('s3://bucket-1', { 'aws.s3.enable_path_style_access': 'yes' })).message).toContain('use true or false');
    expect((await openError('s3://bucket-1', { 'aws.s3.access_key': 'AKIA' })).message).toContain('both an access key and a secret key');
    const conflict = await openError('s3://bucket-1', { ...S3_KEYS, 'fs.s3a.secret.key': 'other-secret-value' });
    expect(conflict.message).toContain('"aws.s3.secret_key" and "fs.s3a.secret.key"');
    expect((await openError('s3://bucket-1', { 'aws.s3.iam_role_arn': 'arn:aws:iam::1:role/x' })).message).toContain('not supported');
    expect((await openError('s3://bucket-1', { ...S3_KEYS, 'aws.s3.use_instance_profile': 'true' })).message).toContain('not both');
    expect((await openError('hdfs://nn:1/x', { username: 'bad user' })).message).toContain('"username"');
    for (const bad of ['0', '-5', '1.5', 'soon', '99999999999']) {
      expect((await openError('file:///tmp/x', { 'tablevault.request_timeout_ms': bad })).message).toBe(
        `Invalid value "${bad}" for repository property "tablevault.request_timeout_ms": use a whole number from 1 to 3600000.`,
      );
    }
    expect((await openError('s3://bucket-1', { 'tablevault.max_attempts': '0' })).message).toContain('from 1 to 20');
  });

  it('never puts a secret value in an error message (property)', async () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9/+]{12,40}$/);
    await fc.assert(
      fc.asyncProperty(secret, secret, fc.constantFrom(...SECRET_PROPERTY_KEYS), async (s1, s2, key) => {
        // Invalid combinations that mention the secret keys: conflicts, unknown keys beside them, half pairs.
        const attempts: [string, Record<string, string>][] = [
          ['s3://bucket-1', { 'aws.s3.secret_key': s1, 'fs.s3a.secret.key': `${s2}x`, 'aws.s3.access_key': s2 }],
          ['s3://bucket-1', { [key]: s1, 'not.a.key': 'x' }],
          ['s3://bucket-1', { 'aws.s3.secret_key': s1 }],
          ['hdfs://nn:1/x', { [key]: s1 }],
          ['file:///tmp/x', { [key]: s1 }],
        ];
        for (const [location, props] of attempts) {
          const error = await openBroker(location, props).then(
            () => undefined,
            (e: unknown) => e as Error,
          );
          if (error === undefined) continue;
          expect(error.message).not.toContain(s1);
          expect(error.message).not.toContain(s2);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('redacts secrets for display and in logs', () => {
    const props = { ...S3_KEYS, 'aws.s3.endpoint': 'http://127.0.0.1:9000', password: 'hunter2' };
    expect(redactProperties(props)).toEqual({
      'aws.s3.access_key': '******',
      'aws.s3.secret_key': '******',
      'aws.s3.endpoint': 'http://127.0.0.1:9000',
      password: '******',
    });
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger({ level: 'info', destination });
    const all = Object.fromEntries([...SECRET_PROPERTY_KEYS].map((k) => [k, `SECRET-${k}`]));
    logger.info({ properties: all }, 'top level');
    logger.info({ repository: { properties: all } }, 'nested');
    const text = lines.join('');
    expect(text).toContain('top level');
    expect(text).toContain('nested');
    expect(text).not.toContain('SECRET-');
  });

  it('lists accepted keys per scheme', () => {
    expect(acceptedPropertyKeys('file')).toEqual([
      'tablevault.max_attempts',
      'tablevault.request_timeout_ms',
      'tablevault.retry_base_ms',
      'tablevault.retry_max_ms',
      'tablevault.stall_timeout_ms',
    ]);
    expect(acceptedPropertyKeys('oss')).toContain('fs.oss.accessKeySecret');
    expect(acceptedPropertyKeys('s3')).not.toContain('fs.oss.accessKeySecret');
  });
});

describe('S3 endpoint resolution', () => {
  it('defaults to path-style with an explicit endpoint, virtual-hosted for vendors that require it', () => {
    expect(resolveEndpoint('s3', parseS3Properties('s3', { 'aws.s3.endpoint': '127.0.0.1:9000', 'aws.s3.enable_ssl': 'false' }))).toEqual({
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      forcePathStyle: true,
    });
    expect(resolveEndpoint('s3', parseS3Properties('s3', {}))).toEqual({ endpoint: undefined, region: 'us-east-1', forcePathStyle: false });
    expect(resolveEndpoint('oss', parseS3Properties('oss', { 'fs.oss.endpoint': 'oss-cn-hangzhou.aliyuncs.com' }))).toEqual({
      endpoint: 'https://oss-cn-hangzhou.aliyuncs.com',
      region: 'cn-hangzhou',
      forcePathStyle: false,
    });
    expect(resolveEndpoint('s3a', parseS3Properties('s3a', { 'fs.s3a.endpoint': 'https://minio:9000/', 'fs.s3a.path.style.access': 'false', 'aws.s3.region': 'eu-west-1' }))).toEqual({
      endpoint: 'https://minio:9000',
      region: 'eu-west-1',
      forcePathStyle: false,
    });
    expect(regionFromEndpoint('https://s3.eu-central-1.amazonaws.com')).toBe('eu-central-1');
    expect(regionFromEndpoint('cos.ap-guangzhou.myqcloud.com')).toBe('ap-guangzhou');
    expect(regionFromEndpoint('obs.cn-north-4.myhuaweicloud.com')).toBe('cn-north-4');
  });
});
