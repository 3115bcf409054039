// The `tablevault` command's bundle: dist/cli/main.js (and the parser thread's entry beside it), built from the
// compiled dist/src/ by esbuild after `tsc`. Why: the compiled program is ~400 ES modules, and resolving and linking
// them one by one was the larger part of a command's start-up (`tablevault sql -e "SELECT 1"`: ~60% less CPU as one
// file). The library (`import 'tablevault'`) keeps the plain dist/src/ modules.
//
// Packages that must stay files of their own are left out of the bundle: better-sqlite3 (a native addon), pino
// (its transports load files by path), and the AWS SDK, mysql2 and prom-client (large, self-contained, and loaded
// through their own entry points).
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

await build({
  absWorkingDir: root,
  // The parser thread's entry is loaded by URL next to the module that starts it (src/sql/parse/worker-pool.ts):
  // in the bundle that module lives in a chunk under dist/cli/chunks/, so the thread's entry is written there too.
  entryPoints: { main: 'dist/src/cli/main.js', 'chunks/parse-worker': 'dist/src/sql/parse/parse-worker.js' },
  outdir: 'dist/cli',
  bundle: true,
  // Code splitting keeps the command's lazy imports lazy: `--version` and `--help` load the small entry only, and
  // `sql` / `serve` load the engine's chunk (with better-sqlite3, the AWS SDK and mysql2) when they start.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'pino', '@aws-sdk/*', 'mysql2', 'prom-client'],
  // Modules bundled from CommonJS packages call require(): give the ES module bundle one.
  banner: { js: "import { createRequire as __tablevaultRequire } from 'node:module'; const require = __tablevaultRequire(import.meta.url);" },
  logLevel: 'warning',
});
