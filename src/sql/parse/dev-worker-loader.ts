/**
 * Development only — not part of the build (tsconfig.build.json excludes it) and never loaded by the built package:
 * when tablevault runs from its TypeScript sources (tests, scripts/tablevault-dev.js, the benches), the parser
 * thread must load `.ts` modules too, so it registers tsx's hooks first. This file is where that is found.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** URL of tsx's documented ESM API entry (package.json exports "./esm/api" → import), resolved from `from`. */
export function loaderUrl(from: string): string {
  const tsxPackage = createRequire(from).resolve('tsx/package.json');
  return pathToFileURL(path.join(path.dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
}
