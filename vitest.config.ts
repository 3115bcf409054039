import { defineConfig } from 'vitest/config';

/**
 * Test files whose assertions depend on wall-clock time (a terminal redrawn within a deadline, a server answering
 * other clients within 100 ms while one statement works): they run one at a time, after the rest, so that another
 * test file's CPU does not decide their outcome.
 */
const TIMING_SENSITIVE = ['test/e2e/tmux-*.test.ts', 'test/server/limits.test.ts'];

export default defineConfig({
  resolve: { conditions: ['development'] },
  ssr: { resolve: { conditions: ['development'], externalConditions: ['development'] } },
  test: {
    environment: 'node',
    // Native addon (better-sqlite3) and TCP servers want process isolation.
    pool: 'forks',
    // s3rver builds list continuation tokens with DES, which OpenSSL 3 only offers through the legacy provider.
    execArgv: ['--openssl-legacy-provider'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    restoreMocks: true,
    // The pinned AWS SDK warns once per process that later releases need Node 22; the pin is deliberate.
    // TABLEVAULT_REQUIRE_FRESH_DIST: bin/tablevault.js (which runs dist/) refuses a dist/ older than the sources, so a
    // test never silently runs stale code; tests run the sources with scripts/tablevault-dev.js.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', TABLEVAULT_REQUIRE_FRESH_DIST: '1' },
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: TIMING_SENSITIVE,
          // vitest's default is one worker per core minus one — a single worker on a 2-core machine — but most files
          // here wait on child processes, sockets and fsync rather than compute, so three overlap well.
          maxWorkers: 3,
          // One worker process runs many files and keeps its module cache: importing the engine (through vite's
          // transform) once per worker instead of once per file took the suite from 448 s to 240 s here. Tests
          // must not leave process-wide state behind (they open their own engines, temp dirs and ports).
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      { extends: true, test: { name: 'timing', include: TIMING_SENSITIVE, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
