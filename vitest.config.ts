import { defineConfig } from 'vitest/config';

// One root config, one project per kind of test (as Freelens does): fast Node tests, DOM
// component tests, and the Playwright end-to-end specs that need a built renderer and Chromium.
export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['common/**/*.test.ts', 'lib/**/*.test.ts', 'main/**/*.test.ts', 'agents/**/*.test.ts', 'templates/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'dom',
          environment: 'jsdom',
          include: ['renderer/**/*.test.{ts,tsx}'],
          setupFiles: ['renderer/testing/dom-setup.ts'],
          // A test that renders the app and types into a form took 14-19 s at load 20 (20 s was the bound).
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['e2e/**/*.e2e.test.ts'],
          globalSetup: ['e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
