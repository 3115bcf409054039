/**
 * Every example of README.md and docs/*.md, run top to bottom as written, each page in a fresh directory, its output
 * compared with the `text` block the page shows after it. The rules (what runs how, what may vary) are in
 * docs/README.md; test/docs/page-run.ts runs the examples.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutput } from './expected-output.ts';
import { planPage, runStep } from './page-plan.ts';
import { PageRun, REPO_ROOT } from './page-run.ts';

const PAGES = ['README.md', ...fs.readdirSync(path.join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

for (const page of PAGES) {
  const plan = planPage(fs.readFileSync(path.join(REPO_ROOT, page), 'utf8'));
  describe(page, () => {
    let run: PageRun;
    const vars = new Map<string, string>();
    let broken: string | undefined;
    beforeAll(() => {
      run = new PageRun();
    });
    afterAll(async () => {
      await run.close();
    });

    it('every code block is an example the runner runs, an illustration, or marked not run with a reason', () => {
      // The list of what is not run, printed with the test output (never skipped silently).
      for (const b of plan.notRun) console.info(`${page}:${b.line} (${b.lang}) not run: ${b.notRun}`);
      expect(plan.problems).toEqual([]);
    });

    for (const step of plan.steps) {
      it(`${page}:${step.block.line} ${step.block.lang}`, async () => {
        if (broken !== undefined) throw new Error(`not run: the example at ${broken} failed, and this one builds on it`);
        try {
          await runStep(run, step, vars, (expected, actual, label) => check(expected, actual, vars, label));
        } catch (error) {
          broken = `${page}:${step.block.line}`;
          throw error;
        }
      });
    }
  });
}

function check(expected: string, actual: string, vars: Map<string, string>, what?: string): void {
  const comparison = compareOutput(expected, actual, vars);
  if (!comparison.ok) expect(actual, what).toBe(comparison.expected);
}
