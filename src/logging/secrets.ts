/**
 * What counts as a secret, in one place every layer may read: the grammar marks the literals of these property keys
 * as secrets in the AST, the brokers mask them in SHOW output, the logger censors them. The statement-level work
 * (which literal of a statement is a secret) is the grammar's (grammar/secrets.ts); this leaf only knows keys and
 * URLs.
 */

/** What a secret is shown as everywhere (MySQL's rewritten-statement convention: `IDENTIFIED BY <secret>`). */
export const SECRET_PLACEHOLDER = '<secret>';

/**
 * Property keys whose values are credentials, as the brokers accept them (src/brokers/properties.ts): the S3
 * spellings and their Hadoop/vendor aliases (OSS, OBS, COS), and the HDFS / broker password.
 */
export const SECRET_PROPERTY_KEYS: ReadonlySet<string> = new Set([
  'aws.s3.access_key',
  'aws.s3.secret_key',
  'fs.s3a.access.key',
  'fs.s3a.secret.key',
  'fs.oss.accessKeyId',
  'fs.oss.accessKeySecret',
  'fs.obs.access.key',
  'fs.obs.secret.key',
  'fs.cosn.userinfo.secretId',
  'fs.cosn.userinfo.secretKey',
  'password',
]);

const LOWER_SECRET_KEYS: ReadonlySet<string> = new Set([...SECRET_PROPERTY_KEYS].map((k) => k.toLowerCase()));

/**
 * Words that make any other key a secret too. Erring towards masking is cheap (a value shown as `<secret>`), missing
 * one is not: keys the brokers do not accept yet (`aws.s3.session_token`, `hadoop.kerberos.keytab_content`,
 * `broker.password`, StarRocks' `azure.blob.shared_key` / `azure.blob.sas_token` / `gcp.gcs.service_account_private_key`
 * / `bos_secret_accesskey`…) and keys written in another case are masked as well.
 */
const SECRET_WORDS = /secret|passw|pwd|token|credential|keytab|private|access[._-]?key|accesskey|shared[._-]?key|userinfo|signature/i;

/** Whether a property's value is a credential, judged by its key (case-insensitive). */
export function isSecretPropertyKey(key: string): boolean {
  return LOWER_SECRET_KEYS.has(key.toLowerCase()) || SECRET_WORDS.test(key);
}

/**
 * Where the userinfo (`user:password`) of a URL value is: from after `scheme://` to its LAST `@`, because secret
 * keys may themselves contain `/`, `:` or `@`. Undefined when the value is not a URL or has no userinfo. Offsets
 * are into `value` (end exclusive).
 */
export function urlUserinfoRange(value: string): { readonly start: number; readonly end: number } | undefined {
  const scheme = /^\s*[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(value);
  if (scheme === null) return undefined;
  const start = scheme[0].length;
  const at = value.lastIndexOf('@');
  return at > start ? { start, end: at } : undefined;
}

/** A URL (the whole value is one) with its userinfo replaced by `<secret>`: `http://u:p@h:9000` → `http://<secret>@h:9000`. */
export function redactUrl(url: string): string {
  const range = urlUserinfoRange(url);
  return range === undefined ? url : `${url.slice(0, range.start)}${SECRET_PLACEHOLDER}${url.slice(range.end)}`;
}

/** A URL-looking run of text (no whitespace or quotes) holding an `@`: greedy, so it ends at the run's last `@`. */
const URL_WITH_USERINFO = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^\s'"`<>]*@/g;

/**
 * Mask the userinfo of every URL in free text (a log message, an error message): `s3://k:s@b` → `s3://<secret>@b`.
 * A best-effort net: a URL is taken to end at whitespace or a quote. For a value known to be one URL, use
 * `redactUrl`; for statements, the AST knows better (grammar/secrets.ts).
 */
export function redactUrlUserinfo(text: string): string {
  if (!text.includes('://') || !text.includes('@')) return text;
  return text.replace(URL_WITH_USERINFO, (_whole, scheme: string) => `${scheme}${SECRET_PLACEHOLDER}@`);
}
