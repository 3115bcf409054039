/**
 * Wait `ms`, or less when `signal` aborts. Resolves either way, never rejects: the shell's pollers and `\watch`
 * treat an abort (Ctrl-C, a finished job) as "stop waiting", not as an error to report.
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
