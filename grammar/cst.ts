/**
 * Small typed readers over chevrotain CST nodes, so the visitors read `child(node, 'name')` instead of indexing
 * `children` and casting. A missing mandatory child means the grammar and the visitor disagree: that is a bug,
 * reported as an internal error, never as a user's syntax error.
 */
import type { CstElement, CstNode, IToken } from 'chevrotain';

function isToken(element: CstElement): element is IToken {
  return 'image' in element;
}

function internal(node: CstNode, key: string): Error {
  return new Error(`grammar/visitor mismatch: rule '${node.name}' has no child '${key}'`);
}

/** All CST-node children under `key`. */
export function nodes(node: CstNode, key: string): CstNode[] {
  return (node.children[key] ?? []).filter((e): e is CstNode => !isToken(e));
}

/** The first CST-node child under `key`, if any. */
export function optNode(node: CstNode, key: string): CstNode | undefined {
  return nodes(node, key)[0];
}

/** The first CST-node child under `key`. */
export function child(node: CstNode, key: string): CstNode {
  const found = optNode(node, key);
  if (found === undefined) throw internal(node, key);
  return found;
}

/** All token children under `key`. */
export function tokens(node: CstNode, key: string): IToken[] {
  return (node.children[key] ?? []).filter(isToken);
}

/** The first token child under `key`, if any. */
export function optToken(node: CstNode, key: string): IToken | undefined {
  return tokens(node, key)[0];
}

/** The first token child under `key`. */
export function token(node: CstNode, key: string): IToken {
  const found = optToken(node, key);
  if (found === undefined) throw internal(node, key);
  return found;
}

/** True when anything was recorded under `key`. */
export function has(node: CstNode, key: string): boolean {
  return (node.children[key]?.length ?? 0) > 0;
}

/** The only child of a node whose rule is a pure choice (`OR` of subrules): its first recorded node child. */
export function onlyChild(node: CstNode): CstNode {
  for (const list of Object.values(node.children)) {
    for (const element of list) if (!isToken(element)) return element;
  }
  throw new Error(`grammar/visitor mismatch: rule '${node.name}' has no sub-rule child`);
}

/** The first token anywhere under `node` (for error positions). */
export function firstToken(node: CstNode): IToken | undefined {
  let best: IToken | undefined;
  for (const list of Object.values(node.children)) {
    for (const element of list) {
      const candidate = isToken(element) ? element : firstToken(element);
      if (candidate !== undefined && (best === undefined || candidate.startOffset < best.startOffset)) best = candidate;
    }
  }
  return best;
}
