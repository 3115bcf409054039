/**
 * LIKE patterns → anchored RegExps with `%`, `_` and an escape character. Case-sensitive for the LIKE operator (as
 * StarRocks); SHOW … LIKE matches names case-insensitively, like MySQL.
 */

const cache = new Map<string, RegExp>();

export function likeToRegExp(pattern: string, escape = '\\', caseInsensitive = false): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}${escape}\u0000${pattern}`;
  let re = cache.get(key);
  if (re) return re;
  let src = '^';
  const cs = Array.from(pattern);
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i] as string;
    if (c === escape && i + 1 < cs.length) {
      src += (cs[++i] as string).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '%') src += '[\\s\\S]*';
    else if (c === '_') src += '[\\s\\S]';
    else src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  re = new RegExp(`${src}$`, caseInsensitive ? 'iu' : 'u');
  if (cache.size > 1000) cache.clear();
  cache.set(key, re);
  return re;
}

/** SHOW … LIKE 'pattern': `\` escapes, case-insensitive. */
export function showLikeToRegExp(pattern: string): RegExp {
  return likeToRegExp(pattern, '\\', true);
}

/** A REGEXP pattern (unanchored search); undefined when the pattern is not a valid expression. */
export function regexpFor(pattern: string): RegExp | undefined {
  const key = `re\u0000${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  try {
    const re = new RegExp(pattern, 'u');
    cache.set(key, re);
    return re;
  } catch {
    return undefined;
  }
}
