/**
 * kill -9 at a chosen moment: run a TypeScript child (under tsx) that prints a marker line when it reaches the point
 * to crash at (and freezes there), SIGKILL it then, and wait for it to be gone. The children print `DONE …` when
 * their work ended before that point.
 */
import { spawn } from 'node:child_process';

/** What the child printed when it was killed or ended by itself. */
export interface KilledChild {
  /** The first match of `at` in the child's output, or null when it printed `DONE` first. */
  readonly match: RegExpExecArray | null;
  /** Everything the child wrote to stdout. */
  readonly out: string;
}

/** When to give up, and how long the child may run on after the marker before the kill. */
export interface KillOptions {
  /** Give up when the child neither matched nor finished by then (default 90 s: tsx start-up on a saturated machine). */
  readonly timeoutMs?: number;
  /** Let the child run on this long after the marker (it did not freeze there), then kill it. */
  readonly delayMs?: number;
}

/**
 * Spawn `node --import tsx <script> ...args`; once its stdout matches `at`, SIGKILL it. Rejects when it neither
 * matches nor prints `DONE` in time, or exits without doing either (its stdout and stderr in the message).
 */
export async function killChildAt(script: string, args: readonly string[], at: RegExp, options: KillOptions = {}): Promise<KilledChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const match = await new Promise<RegExpExecArray | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child neither reached ${String(at)} nor finished: ${out} ${err}`)), options.timeoutMs ?? 90_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = at.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m);
      } else if (/DONE/.test(out)) {
        clearTimeout(timer);
        resolve(null);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!at.test(out) && !/DONE/.test(out)) reject(new Error(`child exited (${String(code)}): ${out} ${err}`));
    });
  });
  if (match !== null && options.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
  child.kill('SIGKILL');
  await exited;
  return { match, out };
}
