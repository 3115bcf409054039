// Rebuild dist/ (`tsc -p tsconfig.build.json` and the command's bundle, what `npm run build` runs) when a source is
// newer than the build.
// Used by the tests and benchmarks that run the compiled program: in CI `npm ci` has just built it; on a working
// copy the sources may have moved on since.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

function newest(dir: string): number {
  let best = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) best = Math.max(best, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return best;
}

/** Build dist/ if it is missing or older than src/, grammar/ or the package/tsconfig files; returns whether it built. */
export function buildIfStale(): boolean {
  // The command's bundle is written last (after tsc): it dates the whole build.
  const output = path.join(ROOT, 'dist', 'cli', 'main.js');
  const built = fs.existsSync(output) ? fs.statSync(output).mtimeMs : 0;
  const inputs = Math.max(
    newest(path.join(ROOT, 'src')),
    newest(path.join(ROOT, 'grammar')),
    ...['package.json', 'tsconfig.json', 'tsconfig.build.json'].map((f) => fs.statSync(path.join(ROOT, f)).mtimeMs),
  );
  if (inputs <= built) return false;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'bundle-cli.js')], { cwd: ROOT, stdio: 'inherit' });
  return true;
}
