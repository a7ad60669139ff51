import { defineConfig } from 'vitest/config'

// The API suite runs twice, once per database; the browser test needs the built dashboard
// (`npm test` builds first) and Chromium.
export default defineConfig({
  test: {
    reporters: ['default', './scripts/summaryReporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['apps/server/test/**/*.test.ts'],
          env: { WIREWARP_TEST_DB: 'sqlite' },
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['apps/server/test/**/*.test.ts'],
          env: { WIREWARP_TEST_DB: 'postgres' },
        },
      },
      {
        extends: true,
        test: {
          name: 'agents',
          include: ['e2e/agents/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          // Real agents while parallel requests interleave on PostgreSQL.
          name: 'agents-postgres',
          include: ['e2e/agents/toggles.test.ts'],
          testTimeout: 60_000,
          env: { WIREWARP_TEST_DB: 'postgres' },
        },
      },
      {
        extends: true,
        test: {
          // Network namespaces, real WireGuard (wireguard-go) and nftables: root only.
          name: 'lab',
          include: ['e2e/lab/**/*.test.ts'],
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // Needs `npm run build:release` first (.ci/run builds it); skipped without it outside CI.
          name: 'release',
          include: ['e2e/release/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          // The install command in a stock Debian 12 container (podman, debootstrap): root only.
          name: 'install',
          include: ['e2e/install/**/*.test.ts'],
          testTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['e2e/browser/**/*.test.ts'],
          testTimeout: 60_000,
          fileParallelism: false,
          // A page that changes by itself (agent frame → database → live event → refetch → render)
          // can take over a second on a loaded 2-core machine; vitest's default wait is one second.
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
  },
})
