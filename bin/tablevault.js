#!/usr/bin/env node
// Launcher: runs the TypeScript sources through tsx's loader, so `npm start` needs no build step.
import { register } from 'tsx/esm/api';

// The AWS SDK is pinned to a release that supports Node 20 (package.json); its notice about later releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
