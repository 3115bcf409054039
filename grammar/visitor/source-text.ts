/**
 * The source text of the statement being visited. Visiting is synchronous, so one slot is enough; it lets the
 * select-item visitor record each item's text as written without threading the source through every builder.
 */
import type { CstNode } from 'chevrotain';

let current: string | undefined;

/** Run `fn` with `text` as the source of the CST being visited. */
export function withSourceText<T>(text: string, fn: () => T): T {
  const previous = current;
  current = text;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/** The source text a CST node spans, or undefined when no source is set or the node has no location. */
export function sourceOf(node: CstNode): string | undefined {
  const start = node.location?.startOffset;
  const end = node.location?.endOffset;
  if (current === undefined || start === undefined || end === undefined || Number.isNaN(start) || Number.isNaN(end)) return undefined;
  return current.slice(start, end + 1);
}
