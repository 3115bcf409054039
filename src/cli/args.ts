/**
 * A small, strict argument parser for the `tablevault` commands: mysql-client-style short options (`-uroot`,
 * `-P 9030`, `-e "…"`) and GNU long options (`--data-dir DIR`, `--port=9030`). Unknown options are errors, so a
 * typo never silently runs against the wrong place.
 */
export interface OptionSpec {
  /** Long name without dashes, e.g. `data-dir`. */
  readonly name: string;
  /** Single-letter alias, e.g. `h`. */
  readonly short?: string;
  /** Whether the option takes a value. */
  readonly takesValue: boolean;
  /** One-line help. */
  readonly help: string;
}

export interface ParsedArgs {
  /** Option values by long name (`true` for flags). */
  readonly options: ReadonlyMap<string, string | true>;
  /** Arguments that are not options. */
  readonly positionals: readonly string[];
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const [rawName, inline] = splitOnce(arg.slice(2), '=');
      const spec = byLong.get(rawName);
      if (!spec) throw new UsageError(`unknown option --${rawName}`);
      if (!spec.takesValue) {
        if (inline !== undefined) throw new UsageError(`option --${rawName} takes no value`);
        options.set(spec.name, true);
        continue;
      }
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`option --${rawName} needs a value`);
      options.set(spec.name, value);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const letter = arg[1] as string;
      const spec = byShort.get(letter);
      if (!spec) throw new UsageError(`unknown option -${letter}`);
      if (!spec.takesValue) {
        if (arg.length > 2) throw new UsageError(`option -${letter} takes no value`);
        options.set(spec.name, true);
        continue;
      }
      // mysql-style: -uroot and -u root are the same; -p with no attached value means an empty password here.
      const attached = arg.slice(2);
      if (attached.length > 0) options.set(spec.name, attached);
      else if (spec.short === 'p') options.set(spec.name, '');
      else {
        const value = argv[++i];
        if (value === undefined) throw new UsageError(`option -${letter} needs a value`);
        options.set(spec.name, value);
      }
      continue;
    }
    positionals.push(arg);
  }
  return { options, positionals };
}

export function optionHelp(specs: readonly OptionSpec[]): string {
  return specs
    .map((s) => {
      const flag = `${s.short ? `-${s.short}, ` : '    '}--${s.name}${s.takesValue ? ' VALUE' : ''}`;
      return `  ${flag.padEnd(28)} ${s.help}`;
    })
    .join('\n');
}

function splitOnce(text: string, sep: string): [string, string | undefined] {
  const at = text.indexOf(sep);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
