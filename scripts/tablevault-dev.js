#!/usr/bin/env node
// Development launcher (`npm run dev -- sql …`, and what the tests spawn): runs the TypeScript sources through
// tsx's loader, so a change in src/ needs no build. The published command, bin/tablevault.js, runs dist/ instead.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
