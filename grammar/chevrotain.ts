/**
 * chevrotain's runtime values, for every grammar module (types still come from 'chevrotain' itself).
 *
 * Why not `import … from 'chevrotain'`: the package entry (lib/src/api.js) pulls in lodash-es as hundreds of small
 * ES modules, ~0.6 s of a command's start-up. chevrotain publishes the same code as one bundle, lib/chevrotain.mjs
 * (listed in its "files"), which loads in ~60 ms. The bundle is not in the package's "exports", so it is found next
 * to the resolved entry; should a later chevrotain not ship it, the regular entry is used. All grammar modules take
 * chevrotain from here, so tokens, lexer and parser come from one copy.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

type Chevrotain = typeof import('chevrotain');

async function load(): Promise<Chevrotain> {
  try {
    // The entry resolves to <chevrotain>/lib/src/api.js; the bundle is <chevrotain>/lib/chevrotain.mjs.
    const entry = pathToFileURL(createRequire(import.meta.url).resolve('chevrotain'));
    const bundle = (await import(new URL('../chevrotain.mjs', entry).href)) as Chevrotain;
    if (typeof bundle.CstParser === 'function' && bundle.VERSION === (await entryVersion(entry))) return bundle;
  } catch {
    // fall through to the regular entry
  }
  return import('chevrotain');
}

/** The version the entry reports (from its small version module), so a stale or foreign bundle is never used. */
async function entryVersion(entry: URL): Promise<string | undefined> {
  try {
    return ((await import(new URL('version.js', entry).href)) as { VERSION?: string }).VERSION;
  } catch {
    return undefined;
  }
}

const chevrotain = await load();

export const { createToken, CstParser, EOF, Lexer, LLkLookaheadStrategy, tokenMatcher } = chevrotain;
