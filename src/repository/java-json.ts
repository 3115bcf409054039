/**
 * A JSON writer that reproduces what StarRocks' FE writes with org.json, byte for byte: key order of a
 * `java.util.HashMap` (org.json's JSONObject storage), org.json's string escaping and its `toString(indent)` layout
 * (one-entry objects and arrays stay on one line). Why bother: SHOW SNAPSHOT's Details column is
 * `jobInfo.toJson(false).toString(1)`, and scripts written against StarRocks compare or parse that text.
 *
 * Objects are `Map`s (insertion order = the order StarRocks calls `put`); the writer reorders keys the way the
 * HashMap would iterate them. Known limit: a HashMap bucket with 8+ colliding keys in a table of 64+ buckets becomes
 * a red-black tree whose iteration order differs; table and partition names never get near that in practice.
 */
export type JavaJsonValue = string | number | boolean | JavaJsonObject | readonly JavaJsonValue[];
export type JavaJsonObject = ReadonlyMap<string, JavaJsonValue>;

/** Java's `String.hashCode()` over UTF-16 code units. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Keys in the order `new HashMap<>()` filled in this order iterates them (default capacity 16, load factor .75). */
export function javaHashMapOrder(keys: readonly string[]): string[] {
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  const mask = capacity - 1;
  return keys
    .map((key, i) => {
      const h = javaStringHash(key);
      return { key, i, bucket: (h ^ (h >>> 16)) & mask };
    })
    .sort((a, b) => a.bucket - b.bucket || a.i - b.i)
    .map((e) => e.key);
}

/** org.json's `JSONObject.quote`. */
export function javaJsonQuote(s: string): string {
  if (s.length === 0) return '""';
  let out = '"';
  let prev = '';
  for (const c of s) {
    switch (c) {
      case '\\':
      case '"':
        out += '\\' + c;
        break;
      case '/':
        out += prev === '<' ? '\\/' : '/';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\r':
        out += '\\r';
        break;
      default: {
        const code = c.charCodeAt(0);
        if (c.length === 1 && (code < 0x20 || (code >= 0x80 && code < 0xa0) || (code >= 0x2000 && code < 0x2100))) {
          out += '\\u' + code.toString(16).padStart(4, '0');
        } else {
          out += c;
        }
      }
    }
    prev = c;
  }
  return out + '"';
}

function isObject(v: JavaJsonValue): v is JavaJsonObject {
  return v instanceof Map;
}

function write(v: JavaJsonValue, indentFactor: number, indent: number): string {
  if (typeof v === 'string') return javaJsonQuote(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`JSON does not allow non-finite numbers: ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return String(v);
  const pad = (n: number): string => ' '.repeat(n);
  const nl = indentFactor > 0 ? '\n' : '';
  const colon = indentFactor > 0 ? ': ' : ':';
  if (isObject(v)) {
    const keys = javaHashMapOrder([...v.keys()]);
    if (keys.length === 0) return '{}';
    const value = (k: string, ind: number): string => write(v.get(k) as JavaJsonValue, indentFactor, ind);
    if (keys.length === 1) return `{${javaJsonQuote(keys[0] as string)}${colon}${value(keys[0] as string, indent)}}`;
    const inner = indent + indentFactor;
    const parts = keys.map((k) => `${nl}${pad(inner)}${javaJsonQuote(k)}${colon}${value(k, inner)}`);
    return `{${parts.join(',')}${nl}${pad(indent)}}`;
  }
  const items = v as readonly JavaJsonValue[];
  if (items.length === 0) return '[]';
  if (items.length === 1) return `[${write(items[0] as JavaJsonValue, indentFactor, indent)}]`;
  const inner = indent + indentFactor;
  return `[${items.map((item) => `${nl}${pad(inner)}${write(item, indentFactor, inner)}`).join(',')}${nl}${pad(indent)}]`;
}

/** org.json `toString()` (indentFactor 0: compact) or `toString(indentFactor)`. */
export function writeJavaJson(value: JavaJsonValue, indentFactor = 0): string {
  return write(value, indentFactor, 0);
}
