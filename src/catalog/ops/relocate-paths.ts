import path from 'node:path';
import type { Catalog } from '../catalog.ts';

/** How many stored values a relocation rewrote, per `table.column`. */
export type RelocationReport = Readonly<Record<string, number>>;

/**
 * Rewrite every absolute path under `from` stored anywhere in the catalog to the same path under `to` (a data dir
 * that was moved or copied). The catalog addresses its own files relative to the data dir, but job records keep
 * the absolute paths their steps were given (local snapshot dirs, restore staging dirs); after a move those would
 * point at the old place — after a copy, at the original's files. Every TEXT column of every table is considered,
 * so records added later are covered too: a value that is exactly such a path is rewritten, and so is every string
 * inside a JSON value. Other text (repository URLs such as `file:///…`, which belong to the user) is left alone,
 * as is a path that merely starts with the same characters (`/data/a2` under `/data/a`).
 */
export function relocatePaths(catalog: Catalog, from: string, to: string): RelocationReport {
  const oldRoot = path.resolve(from);
  const newRoot = path.resolve(to);
  const report: Record<string, number> = {};
  if (oldRoot === newRoot) return report;
  const relocate = (s: string): string => {
    if (s === oldRoot) return newRoot;
    return s.startsWith(oldRoot + path.sep) ? newRoot + s.slice(oldRoot.length) : s;
  };
  let touched = false;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const r = relocate(v);
      if (r !== v) touched = true;
      return r;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const rewrite = (text: string): string => {
    const plain = relocate(text);
    if (plain !== text) return plain;
    const first = text.trimStart()[0];
    if (first !== '{' && first !== '[' && first !== '"') return text;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return text;
    }
    touched = false;
    const next = walk(parsed);
    return touched ? JSON.stringify(next) : text;
  };
  catalog.transaction(() => {
    const tables = catalog
      .prepare<[], { name: string }>(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE '%WITHOUT ROWID%'
         ORDER BY name`,
      )
      .all();
    for (const { name: table } of tables) {
      const columns = catalog.db
        .prepare<[string], { name: string; type: string; pk: number }>('SELECT name, type, pk FROM pragma_table_info(?)')
        .all(table)
        .filter((c) => c.type.toUpperCase() === 'TEXT');
      for (const { name: column } of columns) {
        const q = (id: string): string => `"${id.replace(/"/g, '""')}"`;
        // instr() narrows to candidates; JSON escapes '/' only optionally, so the raw root is a sound filter.
        const candidates = catalog.db
          .prepare<[string], { rid: number; v: string }>(`SELECT rowid AS rid, ${q(column)} AS v FROM ${q(table)} WHERE instr(${q(column)}, ?) > 0`)
          .all(oldRoot);
        if (candidates.length === 0) continue;
        const update = catalog.db.prepare(`UPDATE ${q(table)} SET ${q(column)} = ? WHERE rowid = ?`);
        let changed = 0;
        for (const c of candidates) {
          const next = rewrite(c.v);
          if (next === c.v) continue;
          update.run(next, c.rid);
          changed++;
        }
        if (changed > 0) report[`${table}.${column}`] = changed;
      }
    }
  });
  return report;
}
