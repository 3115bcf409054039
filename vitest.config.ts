import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['development'] },
  ssr: { resolve: { conditions: ['development'], externalConditions: ['development'] } },
  test: {
    include: ['test/**/*.test.ts'],
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
  },
});
