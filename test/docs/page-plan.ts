/**
 * Which code blocks of a docs page are examples, what each one runs and the output the page shows for it (see
 * docs/README.md for the rules).
 */
import { codeBlocks, type CodeBlock } from './markdown-blocks.ts';
import { substitute } from './expected-output.ts';
import type { PageRun } from './page-run.ts';
import { isIncomplete, shellWords } from './shell-words.ts';

const RUNNABLE = new Set(['sql', 'sh', 'console', 'ts']);

/** One example: what runs, and the output the page shows for it. */
export interface Step {
  readonly block: CodeBlock;
  /** `sql` / `ts`: the whole block; `sh` / `console`: one command each, with the output shown after it. */
  readonly parts: readonly { readonly input: string; readonly expected: string }[];
}

export interface Plan {
  readonly steps: readonly Step[];
  readonly notRun: readonly CodeBlock[];
  /** Blocks the runner can not classify: each one fails the page. */
  readonly problems: readonly string[];
}

export function planPage(markdown: string): Plan {
  const blocks = codeBlocks(markdown);
  const steps: Step[] = [];
  const notRun: CodeBlock[] = [];
  const problems: string[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i] as CodeBlock;
    const next = blocks[i + 1];
    const output = next?.lang === 'text' && RUNNABLE.has(block.lang) && block.lang !== 'console' ? next : undefined;
    if (output !== undefined) i++;
    if (!RUNNABLE.has(block.lang)) {
      // Not an example (a synopsis, a layout, a log line); but a shell transcript must be one.
      if (/^\$ /m.test(block.body) && block.notRun === undefined) {
        problems.push(`line ${block.line}: a \`${block.lang || 'bare'}\` block with '$ ' command lines: make it a \`console\` block the runner runs, or mark it <!-- not run: reason -->`);
      }
      continue;
    }
    if (block.notRun !== undefined) {
      if (block.notRun === '') problems.push(`line ${block.line}: <!-- not run: --> needs a reason`);
      notRun.push(block);
      continue;
    }
    try {
      steps.push({ block, parts: parts(block, output?.body ?? '') });
    } catch (error) {
      problems.push(`line ${block.line}: ${(error as Error).message}`);
    }
  }
  return { steps, notRun, problems };
}

function parts(block: CodeBlock, expected: string): Step['parts'] {
  // sql and ts: the block; sh: its commands in order, their outputs together compared with the text block.
  if (block.lang !== 'console') return [{ input: block.body, expected }];
  // console: `$ command` lines, each followed by its output.
  const lines = block.body.split('\n').slice(0, -1);
  const out: { input: string; expected: string }[] = [];
  for (let i = 0; i < lines.length; ) {
    const line = lines[i] as string;
    if (!line.startsWith('$ ')) throw new Error(`a console block starts with '$ command', not '${line}'`);
    let input = line.slice(2);
    i++;
    while (isIncomplete(input) && i < lines.length) input += `\n${lines[i++] as string}`;
    let expectedLines = '';
    while (i < lines.length && !(lines[i] as string).startsWith('$ ')) expectedLines += `${lines[i++] as string}\n`;
    out.push({ input, expected: expectedLines });
  }
  return out;
}

/** The command lines of a `sh` block (or one `$` line of a console block), comment lines left out. */
export function shellCommands(text: string): string[] {
  const commands: string[] = [];
  let current: string | null = null;
  for (const line of text.split('\n')) {
    if (current === null && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    current = current === null ? line : `${current}\n${line}`;
    if (!isIncomplete(current)) {
      commands.push(current);
      current = null;
    }
  }
  if (current !== null) commands.push(current);
  return commands;
}

/**
 * Run one example; `compare` gets each part's expected and actual output (a console block has one part per command)
 * and throws on a mismatch, which stops the step.
 */
export async function runStep(
  run: PageRun, step: Step, vars: Map<string, string>, compare: (expected: string, actual: string, label: string | undefined) => void,
): Promise<void> {
  const { block } = step;
  for (const part of step.parts) {
    const input = substitute(part.input, vars);
    let actual = '';
    if (block.lang === 'sql') actual = await run.sql(input);
    else if (block.lang === 'ts') actual = await run.typescript(input);
    else for (const command of shellCommands(input)) actual += await run.command(shellWords(command));
    compare(part.expected, actual, block.lang === 'console' ? `$ ${part.input}` : undefined);
  }
}
