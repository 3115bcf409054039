#!/usr/bin/env node
// The `tablevault` command: runs the compiled JavaScript in dist/ (built by `npm run build`, which `npm install` runs
// as the `prepare` step). Nothing here needs TypeScript tooling; `npm run dev` runs the sources instead.

// The AWS SDK is pinned to a release that supports Node 20 (package.json); its notice about later releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// dist/cli/main.js is the command bundled into one file (scripts/bundle-cli.js: a much faster start than loading
// dist/src/ module by module); dist/src/cli/main.js is the same program unbundled, used when no bundle was built.
const { existsSync } = await import('node:fs');
const bundled = new URL('../dist/cli/main.js', import.meta.url);
const entry = existsSync(bundled) ? bundled : new URL('../dist/src/cli/main.js', import.meta.url);

// Under the test suite (vitest sets this), a dist/ older than the sources is an error, not a silent run of old code.
if (process.env.TABLEVAULT_REQUIRE_FRESH_DIST === '1') {
  const { statSync, readdirSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const newest = (dir) => {
    let best = 0;
    for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (e.isFile()) best = Math.max(best, statSync(`${e.parentPath}/${e.name}`).mtimeMs);
    }
    return best;
  };
  const root = fileURLToPath(new URL('..', import.meta.url));
  let built = 0;
  try {
    built = statSync(fileURLToPath(entry)).mtimeMs;
  } catch {
    // missing: reported below
  }
  if (built > 0 && Math.max(newest(`${root}src`), newest(`${root}grammar`)) > built) {
    process.stderr.write('tablevault: dist/ is older than src/: run `npm run build`, or run the sources with scripts/tablevault-dev.js (what tests should spawn)\n');
    process.exit(1);
  }
}
let main;
try {
  ({ main } = await import(entry.href));
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(entry.pathname)) {
    process.stderr.write('tablevault: the compiled program (dist/) is missing: run `npm run build` in the package directory\n');
    process.exit(1);
  }
  throw error;
}
process.exitCode = await main(process.argv.slice(2));
