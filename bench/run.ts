/**
 * `npm run bench`: runs every bench/*.bench.ts module in turn (or those named on the command line), prints each
 * section, and writes them all to docs/benchmarks.md with the machine and the date, so the published numbers always
 * come from one run of this script. A run of some modules (`npm run bench lifecycle`) replaces just their sections.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchSection } from './lib/report.ts';
import { benchScale } from './lib/report.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

const sections: BenchSection[] = [];
for (const file of files) {
  process.stderr.write(`bench: running ${file}\n`);
  const started = Date.now();
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { run: () => Promise<BenchSection> };
  const section = await mod.run();
  sections.push(section);
  process.stdout.write(`\n## ${section.title}\n\n${section.markdown}\n`);
  process.stderr.write(`bench: ${file} took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const header = [
  '# Benchmarks',
  '',
  'Every number below comes from one run of `npm run bench` (reproduce with the same command; `TABLEVAULT_BENCH_SCALE=0.1`',
  'shrinks every workload for a quick check). Each figure stands beside a reference measured in the same run on the',
  'same disk, and the ratio is what to compare across machines.',
  '',
  `Run: ${new Date().toISOString()} on ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, scale ${benchScale()}.`,
  '',
].join('\n');
const docs = path.join(here, '..', 'docs', 'benchmarks.md');
if (only.length === 0) {
  writeFileSync(docs, `${header}\n${sections.map((s) => `## ${s.title}\n\n${s.markdown}\n`).join('\n')}`);
  process.stderr.write('bench: wrote docs/benchmarks.md\n');
} else if (process.env['TABLEVAULT_BENCH_UPDATE'] !== '0') {
  // A partial run (`npm run bench lifecycle`) replaces only its own sections (matched by title; new ones are
  // appended), each marked with when and how it was measured, since the page's header describes the last full run.
  // TABLEVAULT_BENCH_UPDATE=0 leaves the page as it was.
  let text = readFileSync(docs, 'utf8');
  for (const section of sections) {
    const note = `_Measured ${new Date().toISOString()} by \`npm run bench -- ${only.join(' ')}\` (load average ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} CPUs)._`;
    const body = `## ${section.title}\n\n${section.markdown}\n\n${note}\n`;
    const start = text.indexOf(`\n## ${section.title}\n`);
    if (start < 0) {
      text = `${text.trimEnd()}\n\n${body}`;
      continue;
    }
    const next = text.indexOf('\n## ', start + 1);
    text = `${text.slice(0, start + 1)}${body}${next < 0 ? '' : text.slice(next)}`;
  }
  writeFileSync(docs, text);
  process.stderr.write(`bench: updated ${sections.length} section(s) of docs/benchmarks.md\n`);
} else {
  process.stderr.write('bench: partial run with TABLEVAULT_BENCH_UPDATE=0; docs/benchmarks.md left as it was\n');
}
