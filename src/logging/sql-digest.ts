/**
 * Statement text as it may appear in logs and SHOW PROCESSLIST: secrets masked, length bounded. Secrets in SQL are
 * always string literals in a few places (IDENTIFIED BY 'pw', PASSWORD('pw'), and repository/broker PROPERTIES
 * whose key names a secret), and pino's path redaction cannot reach inside a string, so the masking lives here.
 */

const SECRET_KEY = /(secret|password|passwd|access[._-]?key|accesskey|token|credential|userinfo)/i;
// Unrolled (`a*(?:b a*)*`, not `(?:a|b)*`): V8 pushes a backtrack entry per iteration of an alternation, and a
// 10 MiB string literal overflowed its stack; here only escapes and doubled quotes iterate the outer group.
const QUOTED = String.raw`'[^'\\]*(?:(?:\\.|'')[^'\\]*)*'|"[^"\\]*(?:(?:\\.|"")[^"\\]*)*"`;
const PROPERTY = new RegExp(String.raw`(${QUOTED})(\s*=\s*)(${QUOTED})`, 'g');
const IDENTIFIED = new RegExp(String.raw`\b(IDENTIFIED\s+(?:WITH\s+\S+\s+)?(?:BY|AS)\s+(?:PASSWORD\s*)?)(${QUOTED})`, 'gi');
const PASSWORD_CALL = new RegExp(String.raw`\b(PASSWORD\s*\(\s*)(${QUOTED})`, 'gi');
const SET_PASSWORD = new RegExp(String.raw`\b(SET\s+PASSWORD\b[^=;]*=\s*)(${QUOTED})`, 'gi');

/** Mask secret literals; cut to `maxLength` characters (with an ellipsis). */
export function sqlDigest(sql: string, maxLength = 1024): string {
  const masked = sql
    .replace(PROPERTY, (whole, key: string, eq: string) => (SECRET_KEY.test(key) ? `${key}${eq}'[redacted]'` : whole))
    .replace(IDENTIFIED, (_w, head: string) => `${head}'[redacted]'`)
    .replace(PASSWORD_CALL, (_w, head: string) => `${head}'[redacted]'`)
    .replace(SET_PASSWORD, (_w, head: string) => `${head}'[redacted]'`);
  return masked.length > maxLength ? `${masked.slice(0, maxLength)}…` : masked;
}
