/**
 * Comparing what an example printed with the `text` block the page shows after it. Exact, line by line, except for
 * `{{name}}` placeholders: each matches any run of characters without a tab or a line break (one cell of batch
 * output, or a part of one) and remembers the text under `name`, so a later example can write `{{name}}` to use it
 * (a snapshot's timestamp in RESTORE's `backup_timestamp`, for instance).
 */
const PLACEHOLDER = /\{\{([A-Za-z_][\w-]*)\}\}/g;

export interface Comparison {
  /** Whether every line matched. */
  readonly ok: boolean;
  /**
   * The expected text with each placeholder of a matching line replaced by what it matched: equal to the actual
   * output when `ok`, and otherwise the best thing to diff it against.
   */
  readonly expected: string;
}

/** Compare `actual` with `expected`; on success, record the placeholders' values in `vars`. */
export function compareOutput(expected: string, actual: string, vars: Map<string, string>): Comparison {
  const want = expected.split('\n');
  const got = actual.split('\n');
  const bound = new Map<string, string>();
  let ok = want.length === got.length;
  const shown = want.map((line, i) => {
    const names: string[] = [];
    const source = line.split(PLACEHOLDER).map((part, k) => {
      if (k % 2 === 1) {
        names.push(part);
        return '([^\\t\\n]*?)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    });
    if (names.length === 0) {
      if (got[i] !== line) ok = false;
      return line;
    }
    const m = new RegExp(`^${source.join('')}$`).exec(got[i] ?? '');
    if (m === null) {
      ok = false;
      return line;
    }
    names.forEach((name, k) => bound.set(name, m[k + 1] as string));
    return got[i] as string;
  });
  if (ok) for (const [name, value] of bound) vars.set(name, value);
  return { ok, expected: shown.join('\n') };
}

/** Replace `{{name}}` in an example's input with the value an earlier output bound; an unbound name is an error. */
export function substitute(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = vars.get(name);
    if (value === undefined) throw new Error(`${whole} is used before an output above bound it`);
    return value;
  });
}
