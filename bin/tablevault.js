#!/usr/bin/env node
// The `tablevault` command: runs the compiled JavaScript in dist/ (built by `npm run build`, which `npm install` runs
// as the `prepare` step). Nothing here needs TypeScript tooling; `npm run dev` runs the sources instead.

// The AWS SDK is pinned to a release that supports Node 20 (package.json); its notice about later releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
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
