import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACT_PATHS } from '../../src/logging/logger.ts';
import { isSecretPropertyKey, redactUrl, redactUrlUserinfo, SECRET_PROPERTY_KEYS } from '../../src/logging/secrets.ts';

function capture(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'trace', destination: { write: (l: string) => void lines.push(l), close: () => undefined } }) };
}

describe('the logger censors secrets', () => {
  it('every credential key the brokers accept, under properties, at two depths', () => {
    const { lines, logger } = capture();
    const properties = Object.fromEntries([...SECRET_PROPERTY_KEYS].map((k) => [k, `VALUE-OF-${k}`]));
    logger.info({ properties, job: { properties } }, 'opened');
    expect(lines.join('')).not.toContain('VALUE-OF-');
    for (const key of SECRET_PROPERTY_KEYS) expect(REDACT_PATHS).toContain(`properties['${key}']`);
  });

  it('URL userinfo in any logged string or error message, leaving the caller\'s error untouched', () => {
    const { lines, logger } = capture();
    const error = new Error('cannot reach http://admin:Sekr1t-pw@minio:9000/bucket');
    logger.warn({ endpoint: 'https://key:Sekr1t-pw@h', err: error, note: 'plain text stays' }, 'failed');
    const line = lines.join('');
    expect(line).not.toContain('Sekr1t-pw');
    expect(line).toContain('http://<secret>@minio:9000/bucket');
    expect(line).toContain('plain text stays');
    expect(error.message).toContain('Sekr1t-pw');
  });

  it('redactUrl masks up to the last @ of a URL, whatever the secret holds', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), (secret) => {
        const url = `s3://AKIA:${secret}@bucket/p`;
        expect(redactUrl(url)).toBe('s3://<secret>@bucket/p');
      }),
    );
    expect(redactUrl('http://host:9000')).toBe('http://host:9000');
    expect(redactUrlUserinfo('a s3://k:s/x@b and hdfs://u:p@nn:9870/x')).toBe('a s3://<secret>@b and hdfs://<secret>@nn:9870/x');
  });

  it('a key is a credential by the brokers\' list (any case) or by its words', () => {
    expect(['aws.s3.secret_key', 'AWS.S3.ACCESS_KEY', 'fs.cosn.userinfo.secretId', 'password', 'aws.s3.session_token', 'hadoop.kerberos.keytab_content', 'broker.passwd', 'azure.blob.shared_key', 'azure.blob.sas_token', 'gcp.gcs.service_account_private_key', 'bos_accesskey', 'azure.adls2.oauth2_client_secret'].every(isSecretPropertyKey)).toBe(true);
    expect(['aws.s3.endpoint', 'aws.s3.region', 'username', 'replication_num', 'backup_timestamp', 'type', 'timeout'].some(isSecretPropertyKey)).toBe(false);
  });
});
