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
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
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
        },
      },
      { extends: true, test: { name: 'timing', include: TIMING_SENSITIVE, maxWorkers: 1 } },
    ],
  },
});
