import { defineConfig } from 'vitest/config';

// Tiers are told apart by file suffix so that test/ can mirror the source tree:
//   *.test.ts      unit: pure logic, no I/O beyond temp files
//   *.int.test.ts  integration: real server, real socket.io, real pty, real SQLite
//   *.e2e.test.ts  end-to-end: real Docker engine and kind clusters, real Chromium
// test/run-all.sh runs the e2e tier with --no-file-parallelism: clusters share 2 cores.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', 'test/**/*.e2e.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.test.ts'],
          globalSetup: ['test/support/e2e-cluster.ts'],
          testTimeout: 600_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
