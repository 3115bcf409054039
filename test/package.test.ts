/**
 * The package as `npm install` leaves it in a user's project, run with plain `node` — no tsx, no sources:
 * - the real `npm pack` tarball, extracted to node_modules/tablevault with its bin linked in node_modules/.bin, as npm
 *   does. Its dependencies are linked to this checkout's node_modules instead of installed: this machine's npm cache
 *   does not hold them (`npm install --offline` fails with ENOTCACHED) and better-sqlite3 would compile from source
 *   for about a minute. tsx is not among them: nothing the package loads can reach it.
 * - an ES module project and a CommonJS one each run the README's sh block (`npx tablevault sql …`), then compile its
 *   TypeScript tour with tsc against the package's declarations (a wrong type must be an error: the types are
 *   real) and run the JavaScript with node, printing the expected rows.
 * - `tablevault --version` / `--help` load neither the engine, the grammar nor the AWS SDK; `@@version` and
 *   `version()` read the package's version from dist/.
 *
 * dist/ is what is packed: it is rebuilt first when a source is newer (CI's `npm ci` has just built it).
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale } from '../scripts/build-if-stale.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** The README's ```lang block containing `mustContain`, and the ```text block right after it (its output). */
function example(lang: string, mustContain: string): { code: string; output: string } {
  const found = [...README.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```\\n(?:```text\\n([\\s\\S]*?)```)?', 'g'))].find((m) => (m[1] as string).includes(mustContain));
  if (found === undefined) throw new Error(`README has no \`\`\`${lang} block containing ${mustContain}`);
  return { code: found[1] as string, output: found[2] ?? '' };
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, timeout: 180_000, env: { ...process.env, TABLEVAULT_LOG_LEVEL: 'warn', npm_config_offline: 'true', npm_config_update_notifier: 'false', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

/** A project with `tablevault` installed from the tarball: node_modules/tablevault, its bin, linked dependencies. */
function project(dir: string, tarball: string, type: 'module' | 'commonjs'): void {
  fs.mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `user-${type}`, private: true, type, dependencies: { tablevault: VERSION } }, null, 2));
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  fs.renameSync(path.join(dir, 'package'), path.join(dir, 'node_modules', 'tablevault'));
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'tablevault', 'package.json'), 'utf8')) as { dependencies: Record<string, string>; bin: Record<string, string> };
  // The user's own dev dependency for TypeScript on Node; the package's runtime dependencies.
  for (const dep of [...Object.keys(manifest.dependencies), '@types/node']) {
    fs.mkdirSync(path.dirname(path.join(dir, 'node_modules', dep)), { recursive: true });
    fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules', dep)), path.join(dir, 'node_modules', dep), 'dir');
  }
  for (const [name, target] of Object.entries(manifest.bin)) {
    fs.symlinkSync(path.join('..', 'tablevault', target), path.join(dir, 'node_modules', '.bin', name));
  }
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, types: ['node'], skipLibCheck: type === 'commonjs' }, include: ['*.ts'] }),
  );
}

/** Run the README's sh block in `dir` exactly as written (npx finds the project's own bin, offline). */
async function shTour(dir: string): Promise<Run> {
  const sh = example('sh', 'tablevault sql');
  expect(sh.code.trimStart().startsWith('npx tablevault sql')).toBe(true);
  const result = await run('/bin/sh', ['-c', sh.code], dir);
  expect(result.stdout).toBe(sh.output);
  return result;
}

describe('the packed package in a plain project', () => {
  let tmp: string;
  let tarball: string;

  beforeAll(async () => {
    buildIfStale();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-pkg-'));
    // --ignore-scripts: `prepare` would rebuild dist/, which ensureBuilt has just made current.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], ROOT);
    expect(packed.code, packed.stderr).toBe(0);
    tarball = path.join(tmp, packed.stdout.trim().split('\n').pop() as string);
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
    // What npm ships: the compiled program and its declarations; no test or development launcher.
    expect(listing).toContain('package/dist/src/index.js');
    expect(listing).toContain('package/dist/src/index.d.ts');
    expect(listing).toContain('package/bin/tablevault.js');
    expect(listing).not.toContain('package/scripts/');
    expect(listing).not.toContain('package/test/');
  }, 300_000);

  afterAll(() => {
    if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('an ES module project: the bin without tsx, --version/--help without the engine, the README tour compiled with tsc and run with node', async () => {
    const dir = path.join(tmp, 'esm');
    project(dir, tarball, 'module');
    const pkg = path.join(dir, 'node_modules', 'tablevault');
    // Nothing the package ships imports tsx, and tsx cannot be resolved from it.
    for (const file of fs.readdirSync(pkg, { recursive: true, encoding: 'utf8' }).filter((f) => /^(bin|dist)\/.*\.js$/.test(f))) {
      expect(fs.readFileSync(path.join(pkg, file), 'utf8'), file).not.toMatch(/['"]tsx(\/[^'"]*)?['"]/);
    }
    const resolveTsx = await run(process.execPath, ['--input-type=module', '-e', "import.meta.resolve('tsx')"], pkg);
    expect(resolveTsx.code).not.toBe(0);

    const bin = path.join(dir, 'node_modules', '.bin', 'tablevault');
    expect(await run(bin, ['--version'], dir)).toEqual({ code: 0, stdout: `tablevault ${VERSION}\n`, stderr: '' });

    // Under the test suite (TABLEVAULT_REQUIRE_FRESH_DIST, set in vitest.config.ts) a dist/ older than the sources
    // is refused, so no test runs stale code; for a user (variable unset) nothing is checked.
    const source = path.join(pkg, 'src', 'index.ts');
    const packed = fs.statSync(source).mtime;
    fs.utimesSync(source, new Date(), new Date());
    expect(process.env['TABLEVAULT_REQUIRE_FRESH_DIST']).toBe('1');
    expect(await run(bin, ['--version'], dir)).toMatchObject({ code: 1, stderr: expect.stringContaining('dist/ is older than src/') });
    expect(await run(bin, ['--version'], dir, { TABLEVAULT_REQUIRE_FRESH_DIST: '' })).toMatchObject({ code: 0, stdout: `tablevault ${VERSION}\n` });
    fs.utimesSync(source, packed, packed);

    // What --version, --help and `sql --help` load: a resolve hook lists every module (ESM and CommonJS).
    const hook = path.join(dir, 'trace-hook.mjs');
    // Hooks run on their own thread: a synchronous write, or lines still queued there are lost when the process exits.
    fs.writeFileSync(hook, "import { writeSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); writeSync(2, `LOAD ${r.url}\\n`); return r; }\n");
    const register = path.join(dir, 'trace.mjs');
    fs.writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(new URL(`file://${hook}`).href)});\n`);
    for (const args of [['--version'], ['--help'], ['sql', '--help']]) {
      const traced = await run(process.execPath, ['--import', register, bin, ...args], dir);
      expect(traced.code, traced.stderr).toBe(0);
      const loaded = traced.stderr.split('\n').filter((l) => l.startsWith('LOAD '));
      expect(loaded.length, args.join(' ')).toBeGreaterThan(2);
      expect(loaded.filter((l) => /chevrotain|@aws-sdk|better-sqlite3|mysql2|\/engine\.js|\/grammar\//.test(l)), args.join(' ')).toEqual([]);
      // The command is bundled (dist/cli/, split into lazily loaded chunks): the engine's chunk is not among them.
      expect(loaded.some((l) => l.includes('/dist/cli/main.js')), args.join(' ')).toBe(true);
      const bytes = loaded
        .map((l) => l.slice('LOAD '.length))
        .filter((url) => url.startsWith('file:') && url.includes('/node_modules/tablevault/'))
        .reduce((sum, url) => sum + fs.statSync(new URL(url)).size, 0);
      expect(bytes, `${args.join(' ')} loads ${bytes} bytes of the package`).toBeLessThan(100_000);
    }
    // A statement past the inline parse limit (64 KiB) is parsed on the parser thread, whose entry the bundle
    // carries beside the chunk that starts it.
    const long = await run(bin, ['sql', '--data-dir', 'long-statement', '-N', '-e', `SELECT length('${'x'.repeat(70_000)}')`], dir);
    expect(long).toMatchObject({ code: 0, stdout: '70000\n' });

    const cli = await shTour(dir);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);

    const versions = await run(bin, ['sql', '--data-dir', 'demo', '-N', '-e', 'SELECT @@version, version()'], dir);
    expect(versions.stdout).toBe(`8.0.33-tablevault-${VERSION}\t8.0.33-tablevault-${VERSION}\n`);

    // The README's TypeScript, compiled against the package's declarations (with their own imports checked), plus
    // a file that misuses a type: tsc must reject exactly that one.
    const tour = example('ts', "session.execute('SELECT region");
    fs.writeFileSync(path.join(dir, 'tour.ts'), tour.code);
    fs.writeFileSync(path.join(dir, 'misuse.ts'), "import { Engine } from 'tablevault';\nexport const wrong: number = Engine.open;\n");
    const tsc = await run(process.execPath, [TSC, '-p', '.'], dir);
    expect(tsc.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^misuse\.ts\(2,14\): error TS2322: Type '\(options: EngineOptions\) => Promise<Engine>' is not assignable to type 'number'\.$/)]);
    const lib = await run(process.execPath, ['tour.js'], dir);
    expect(lib.code, lib.stderr).toBe(0);
    expect(lib.stdout).toBe(tour.output);
    expect(fs.existsSync(path.join(dir, 'demo', 'LOCK'))).toBe(false);
  }, 240_000);

  it('a CommonJS project: the README\'s import() form, compiled with tsc and run with node', async () => {
    const dir = path.join(tmp, 'cjs');
    project(dir, tarball, 'commonjs');
    expect((await shTour(dir)).code).toBe(0);
    const tour = example('ts', "await import('tablevault')");
    fs.writeFileSync(path.join(dir, 'tour.ts'), tour.code);
    const tsc = await run(process.execPath, [TSC, '-p', '.'], dir);
    expect(tsc.stdout, tsc.stderr).toBe('');
    // Compiled as CommonJS (no static import of the ES module; import() kept as import()).
    const js = fs.readFileSync(path.join(dir, 'tour.js'), 'utf8');
    expect(js).toContain('"use strict"');
    expect(js).toContain("import('tablevault')");
    const lib = await run(process.execPath, ['tour.js'], dir);
    expect(lib.code, lib.stderr).toBe(0);
    expect(lib.stdout).toBe(tour.output);
  }, 240_000);
});
