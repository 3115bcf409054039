/**
 * Just enough POSIX shell word splitting for the command lines docs show: blanks separate words, '…' is literal,
 * "…" is literal except for \" \\ \$ \` and a backslash-newline, a backslash outside quotes escapes the next
 * character, `#` at the start of a word begins a comment. Variables, globs, pipes and redirections are refused, so a
 * command the runner cannot run exactly as a shell would is an error, not a guess.
 */
export class ShellSyntaxError extends Error {
  override name = 'ShellSyntaxError';
}

/** Whether `text` ends inside a quote or after a line-continuing backslash (the command goes on next line). */
export function isIncomplete(text: string): boolean {
  try {
    shellWords(text);
    return false;
  } catch (error) {
    if (error instanceof ShellSyntaxError && error.message.startsWith('unterminated')) return true;
    throw error;
  }
}

export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let i = 0;
  const add = (s: string): void => {
    word = (word ?? '') + s;
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (word !== null) words.push(word);
      word = null;
      i++;
    } else if (c === '#' && word === null) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError("unterminated '");
      add(text.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new ShellSyntaxError('unterminated "');
        const d = text[i] as string;
        if (d === '"') break;
        if (d === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1] as string)) {
          if (text[i + 1] !== '\n') s += text[i + 1];
          i += 2;
          continue;
        }
        if ((d === '$' && /[A-Za-z_{(]/.test(text[i + 1] ?? '')) || d === '`') throw new ShellSyntaxError(`expansion ${d} is not supported`);
        s += d;
        i++;
      }
      add(s);
      i++;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new ShellSyntaxError('unterminated \\ at the end');
      if (text[i + 1] !== '\n') add(text[i + 1] as string);
      i += 2;
    } else if ('|&;<>()$`*?['.includes(c)) {
      throw new ShellSyntaxError(`'${c}' is not supported in a docs command`);
    } else {
      add(c);
      i++;
    }
  }
  if (word !== null) words.push(word);
  return words;
}
