import { fileURLToPath } from 'node:url';

import { BrokerError } from './broker.ts';

/** Parsing of repository location URIs into the parts each adapter needs. Secrets never enter an error message. */

/** Schemes served by the S3 adapter (StarRocks accepts these object-store spellings). */
export const S3_SCHEMES: readonly string[] = ['s3', 's3a', 'obs', 'oss', 'cos'];

/** A parsed repository location. */
export type ParsedLocation =
  | {
      readonly kind: 'file';
      /** Absolute local directory. */
      readonly path: string;
      /** Canonical `file:///…` form. */
      readonly location: string;
    }
  | {
      readonly kind: 's3';
      /** `s3`, `s3a`, `obs`, `oss` or `cos`. */
      readonly scheme: string;
      readonly bucket: string;
      /** Key prefix inside the bucket, without leading or trailing `/` (may be empty). */
      readonly prefix: string;
      readonly location: string;
    }
  | {
      readonly kind: 'hdfs';
      readonly host: string;
      /** WebHDFS HTTP port (defaults to 9870 when the URI names none). */
      readonly port: number;
      /** Absolute HDFS directory, no trailing `/` (the root is `/`). */
      readonly path: string;
      readonly location: string;
    };

/** The forms every error message offers, so the user can see what to type instead. */
export const ACCEPTED_LOCATION_FORMS =
  'file:///absolute/path, s3://bucket[/prefix] (also s3a://, obs://, oss://, cos://), hdfs://namenode:port[/path]';

/** WebHDFS's default HTTP port on Hadoop 3 NameNodes. */
export const DEFAULT_WEBHDFS_PORT = 9870;

export function parseLocation(location: string): ParsedLocation {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(location.trim());
  if (match === null) throw badLocation(location, 'it is not a URI of the form scheme://…');
  const scheme = (match[1] ?? '').toLowerCase();
  const rest = match[2] ?? '';
  if (scheme === 'file') return parseFile(location, rest);
  if (S3_SCHEMES.includes(scheme)) return parseObjectStore(location, scheme, rest);
  if (scheme === 'hdfs') return parseHdfs(location, rest);
  throw badLocation(location, `the scheme "${scheme}" is not supported`);
}

function parseFile(location: string, rest: string): ParsedLocation {
  let pathPart = rest;
  if (pathPart.startsWith('localhost/')) pathPart = pathPart.slice('localhost'.length);
  if (!pathPart.startsWith('/')) throw badLocation(location, 'a file location must be an absolute path (file:///abs/path: three slashes)');
  if (pathPart.includes('?') || pathPart.includes('#')) throw badLocation(location, 'a file location must not have a query or fragment');
  // Checked on the raw text: URL parsing would silently resolve the dots away.
  if (pathPart.split('/').some((s) => s === '..' || s === '.' || s === '%2e%2e' || s === '%2E%2E')) {
    throw badLocation(location, 'the path must not contain "." or ".." segments');
  }
  let absolute: string;
  try {
    absolute = fileURLToPath(`file://${pathPart}`);
  } catch (error) {
    throw badLocation(location, `the path is not valid (${error instanceof Error ? error.message : String(error)})`);
  }
  if (absolute.split('/').some((s) => s === '..' || s === '.')) throw badLocation(location, 'the path must not contain "." or ".." segments');
  const trimmed = absolute.length > 1 ? absolute.replace(/\/+$/, '') : absolute;
  return { kind: 'file', path: trimmed === '' ? '/' : trimmed, location: `file://${trimmed === '' ? '/' : trimmed}` };
}

function parseObjectStore(location: string, scheme: string, rest: string): ParsedLocation {
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  // '@' anywhere (a secret may itself contain '/') means someone wrote credentials into the URI.
  if (rest.includes('@')) {
    throw badLocation(location, 'credentials must not be written into the location ("@" is not accepted); pass them as properties (e.g. "aws.s3.access_key")');
  }
  if (authority === '') throw badLocation(location, `the bucket is missing (${scheme}://bucket/prefix)`);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(authority)) {
    throw badLocation(location, `"${authority}" is not a valid bucket name (3-63 characters: lower-case letters, digits, "." and "-")`);
  }
  const pathPart = slash < 0 ? '' : rest.slice(slash + 1);
  if (pathPart.includes('?') || pathPart.includes('#')) throw badLocation(location, 'an object-store location must not have a query or fragment');
  const prefix = pathPart.replace(/\/+$/, '');
  if (prefix !== '' && prefix.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw badLocation(location, 'the path after the bucket must not contain empty, "." or ".." segments');
  }
  return { kind: 's3', scheme, bucket: authority, prefix, location: `${scheme}://${authority}${prefix === '' ? '' : `/${prefix}`}` };
}

function parseHdfs(location: string, rest: string): ParsedLocation {
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  if (rest.includes('@')) throw badLocation(location, 'user names and passwords go in the "username"/"password" properties, not in the location ("@" is not accepted)');
  if (authority === '') throw badLocation(location, 'the NameNode host is missing (hdfs://namenode:port/path)');
  const hostPort = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(authority);
  if (hostPort === null) throw badLocation(location, `"${authority}" is not a valid host[:port]`);
  const host = hostPort[1] ?? '';
  const port = hostPort[2] === undefined ? DEFAULT_WEBHDFS_PORT : Number(hostPort[2]);
  if (port < 1 || port > 65535) throw badLocation(location, `port ${port} is out of range`);
  const rawPath = slash < 0 ? '/' : rest.slice(slash);
  if (rawPath.includes('?') || rawPath.includes('#')) throw badLocation(location, 'an HDFS location must not have a query or fragment');
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw badLocation(location, 'the path has a malformed %-escape');
  }
  const trimmed = decoded.replace(/\/+$/, '') || '/';
  if (trimmed !== '/' && trimmed.slice(1).split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw badLocation(location, 'the path must not contain empty, "." or ".." segments');
  }
  return { kind: 'hdfs', host, port, path: trimmed, location: `hdfs://${host}:${port}${trimmed === '/' ? '' : trimmed}` };
}

/** Strip anything that could be a secret (userinfo, query) before a location is echoed in an error. */
export function safeLocationText(location: string): string {
  // Greedy up to the last '@': secret keys may contain '/' and ':'.
  return location.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/).*@/s, '$1***@').replace(/[?#].*$/s, '');
}

function badLocation(location: string, why: string): BrokerError {
  return new BrokerError('INVALID_ARGUMENT', `Invalid repository location "${safeLocationText(location)}": ${why}. Accepted forms: ${ACCEPTED_LOCATION_FORMS}.`, {
    retryable: false,
  });
}
