/**
 * MySQL host patterns for accounts: `%` matches any run of characters, `_` any one character, anything else
 * itself (case-insensitively, hosts being DNS names or addresses). `localhost` also covers the loopback
 * addresses, because a TCP client on the same machine arrives as 127.0.0.1 / ::1 and MySQL resolves that back
 * to `localhost`.
 */

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Whether `host` (a client address or name) matches the account host `pattern`. */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === '%') return true;
  if (p === 'localhost') return LOOPBACK.has(h);
  if (!p.includes('%') && !p.includes('_')) return p === h;
  return wildcard(p, h);
}

/** Iterative `%`/`_` matcher (no regex: patterns come from users, and backtracking must stay linear-ish). */
function wildcard(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '_' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '%') {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '%') p++;
  return p === pattern.length;
}

/**
 * Sort key for choosing among accounts that match one client (MySQL: the most specific host wins): exact hosts
 * first, then patterns by how many literal characters they pin down, `%` last.
 */
export function hostSpecificity(pattern: string): number {
  if (pattern === '%') return 0;
  const literal = [...pattern].filter((c) => c !== '%' && c !== '_').length;
  const wild = pattern.includes('%') || pattern.includes('_');
  return (wild ? 1_000 : 100_000) + literal;
}

/** Whether an address to listen on is loopback only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackAddress(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.replace(/^::ffff:/, '');
  const parts = v4.split('.');
  return parts.length === 4 && parts[0] === '127' && parts.every((x) => /^\d{1,3}$/.test(x) && Number(x) <= 255);
}
