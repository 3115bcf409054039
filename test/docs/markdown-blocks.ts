/**
 * The fenced code blocks of a Markdown page, in order, with the line they start on and the `<!-- not run: … -->`
 * marker written on the line before, if any. Only what the docs runner needs: ``` fences (not ~~~), no nesting.
 */
export interface CodeBlock {
  /** The fence's info string's first word (`sql`, `text`, `console`, `sh`, `ts`), '' for a bare fence. */
  readonly lang: string;
  /** The block's text, every line ending with '\n' ('' for an empty block). */
  readonly body: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The reason of a `<!-- not run: reason -->` comment on the line right before the fence. */
  readonly notRun?: string;
}

const FENCE = /^(\s*)```(.*)$/;
const NOT_RUN = /^\s*<!--\s*not run:\s*(.*?)\s*-->\s*$/;

export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] as string);
    if (open === null) continue;
    const indent = open[1] as string;
    const lang = (open[2] as string).trim().split(/\s+/)[0] ?? '';
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j] as string;
      if (/^\s*```\s*$/.test(line)) break;
      // A fence indented inside a list item: its lines carry the item's indent.
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line);
    }
    if (j === lines.length) throw new Error(`unclosed code fence at line ${i + 1}`);
    const marker = i > 0 ? NOT_RUN.exec(lines[i - 1] as string) : null;
    blocks.push({
      lang,
      body: body.map((l) => `${l}\n`).join(''),
      line: i + 1,
      ...(marker === null ? {} : { notRun: marker[1] as string }),
    });
    i = j;
  }
  return blocks;
}
