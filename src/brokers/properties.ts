import { SECRET_PROPERTY_KEYS } from '../logging/secrets.ts';
import { BrokerError } from './broker.ts';
import { POLICY_PROPERTY_KEYS } from './broker-policy.ts';

/**
 * Repository properties (CREATE REPOSITORY … PROPERTIES), per storage kind, with StarRocks' spellings. Values of
 * secret keys never appear in an error message; unknown keys are named, with the list of accepted ones.
 */

/** Keys whose values are credentials (the list lives with the logger, which the grammar reads too). */
export { SECRET_PROPERTY_KEYS };

/** What `redactProperties` puts in place of a secret value. */
export const REDACTED_VALUE = '******';

/** A copy of `properties` with every secret value masked (for SHOW REPOSITORIES, the catalog's display column, logs). */
export function redactProperties(properties: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(properties)) out[key] = SECRET_PROPERTY_KEYS.has(key) ? REDACTED_VALUE : value;
  return out;
}

/** One way to spell one setting: each setting below lists its accepted spellings in order of preference. */
const S3_SPELLINGS = {
  accessKey: ['aws.s3.access_key', 'fs.s3a.access.key'],
  secretKey: ['aws.s3.secret_key', 'fs.s3a.secret.key'],
  endpoint: ['aws.s3.endpoint', 'fs.s3a.endpoint'],
  region: ['aws.s3.region'],
  pathStyle: ['aws.s3.enable_path_style_access', 'fs.s3a.path.style.access'],
  ssl: ['aws.s3.enable_ssl'],
  instanceProfile: ['aws.s3.use_instance_profile'],
  iamRoleArn: ['aws.s3.iam_role_arn'],
} as const;

/** Vendor spellings (older StarRocks docs, Hadoop connectors) accepted only with their own scheme. */
const VENDOR_SPELLINGS: Readonly<Record<string, Partial<Record<keyof typeof S3_SPELLINGS, readonly string[]>>>> = {
  oss: { accessKey: ['fs.oss.accessKeyId'], secretKey: ['fs.oss.accessKeySecret'], endpoint: ['fs.oss.endpoint'] },
  obs: { accessKey: ['fs.obs.access.key'], secretKey: ['fs.obs.secret.key'], endpoint: ['fs.obs.endpoint'] },
  cos: { accessKey: ['fs.cosn.userinfo.secretId'], secretKey: ['fs.cosn.userinfo.secretKey'], endpoint: ['fs.cosn.bucket.endpoint_suffix'] },
};

/** Settings for the S3 adapter, resolved from whichever spellings were used. */
export interface S3Properties {
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** Endpoint as given (host, host:port or a full URL). */
  readonly endpoint?: string;
  readonly region?: string;
  readonly pathStyle?: boolean;
  /** Use https for an endpoint given without a scheme (default true). */
  readonly ssl: boolean;
  /** Take credentials from the environment / instance metadata instead of keys. */
  readonly useInstanceProfile: boolean;
}

/** Settings for the WebHDFS adapter. */
export interface HdfsProperties {
  /** Sent as `user.name` (simple authentication). */
  readonly username?: string;
  /** Accepted for StarRocks compatibility; WebHDFS simple authentication has no password, so it is not sent. */
  readonly password?: string;
}

/**
 * Every key accepted for a scheme, sorted (for the "accepted properties" part of error messages and docs). The
 * deadline and retry keys (`tablevault.*`, broker-policy.ts) are accepted with every scheme.
 */
export function acceptedPropertyKeys(scheme: string): readonly string[] {
  return [...schemeKeys(scheme), ...POLICY_PROPERTY_KEYS].sort();
}

function schemeKeys(scheme: string): readonly string[] {
  if (scheme === 'file') return [];
  if (scheme === 'hdfs') return ['password', 'username'];
  const keys = new Set<string>(Object.values(S3_SPELLINGS).flat());
  for (const spellings of Object.values(VENDOR_SPELLINGS[scheme] ?? {})) for (const key of spellings ?? []) keys.add(key);
  return [...keys].sort();
}

function checkKnownKeys(scheme: string, properties: Readonly<Record<string, string>>): void {
  const accepted = acceptedPropertyKeys(scheme);
  for (const key of Object.keys(properties)) {
    if (accepted.includes(key)) continue;
    const list = accepted.join(', ');
    throw invalid(`Unknown repository property "${key}" for a ${scheme}:// location. Accepted properties: ${list}.`);
  }
}

/** The value of a setting, from any of its spellings; two spellings with different values are a conflict. */
function pick(properties: Readonly<Record<string, string>>, spellings: readonly string[]): string | undefined {
  let found: { key: string; value: string } | undefined;
  for (const key of spellings) {
    const value = properties[key];
    if (value === undefined) continue;
    if (found !== undefined && found.value !== value) {
      throw invalid(`Repository properties "${found.key}" and "${key}" set the same thing to different values; keep one of them.`);
    }
    found ??= { key, value };
  }
  return found?.value;
}

function parseBoolean(key: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  // Not a secret key, so the value may be shown.
  throw invalid(`Invalid value "${value}" for repository property "${key}": use true or false.`);
}

export function parseS3Properties(scheme: string, properties: Readonly<Record<string, string>>): S3Properties {
  checkKnownKeys(scheme, properties);
  const vendor = VENDOR_SPELLINGS[scheme] ?? {};
  const spell = (setting: keyof typeof S3_SPELLINGS): readonly string[] => [...S3_SPELLINGS[setting], ...(vendor[setting] ?? [])];
  const accessKeyId = pick(properties, spell('accessKey'));
  const secretAccessKey = pick(properties, spell('secretKey'));
  const useInstanceProfile = parseBoolean('aws.s3.use_instance_profile', properties['aws.s3.use_instance_profile']) ?? false;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw invalid(`Repository properties need both an access key and a secret key (${spell('accessKey').join(' / ')} and ${spell('secretKey').join(' / ')}), or neither.`);
  }
  if (useInstanceProfile && accessKeyId !== undefined) {
    throw invalid('Set either "aws.s3.use_instance_profile" = "true" or an access key and secret key, not both.');
  }
  if (properties['aws.s3.iam_role_arn'] !== undefined) {
    throw invalid('"aws.s3.iam_role_arn" (assume-role) is not supported by tablevault yet; use "aws.s3.access_key"/"aws.s3.secret_key" or "aws.s3.use_instance_profile" = "true".');
  }
  const endpoint = pick(properties, spell('endpoint'))?.trim();
  if (endpoint !== undefined && endpoint === '') throw invalid('The endpoint property is empty; remove it or give a host name, host:port or URL.');
  const region = pick(properties, spell('region'))?.trim();
  const pathStyleKey = spell('pathStyle').find((k) => properties[k] !== undefined) ?? 'aws.s3.enable_path_style_access';
  const pathStyle = parseBoolean(pathStyleKey, pick(properties, spell('pathStyle')));
  const ssl = parseBoolean('aws.s3.enable_ssl', properties['aws.s3.enable_ssl']) ?? true;
  return {
    ...(accessKeyId === undefined ? {} : { accessKeyId }),
    ...(secretAccessKey === undefined ? {} : { secretAccessKey }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined || region === '' ? {} : { region }),
    ...(pathStyle === undefined ? {} : { pathStyle }),
    ssl,
    useInstanceProfile,
  };
}

export function parseHdfsProperties(properties: Readonly<Record<string, string>>): HdfsProperties {
  checkKnownKeys('hdfs', properties);
  const username = properties['username'];
  if (username !== undefined && !/^[A-Za-z0-9._@$-]+$/.test(username)) {
    throw invalid(`Invalid value "${username}" for repository property "username": use letters, digits, ".", "_", "-", "@" or "$".`);
  }
  const password = properties['password'];
  return { ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) };
}

export function checkFileProperties(properties: Readonly<Record<string, string>>): void {
  checkKnownKeys('file', properties);
}

function invalid(message: string): BrokerError {
  return new BrokerError('INVALID_ARGUMENT', message, { retryable: false });
}
