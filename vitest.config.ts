import { defineConfig } from 'vitest/config';

// Three tiers (ARCHITECTURE.md rule 12): co-located unit tests for pure code, integration tests that start real
// PostgreSQL servers, and browser tests in Debian's chromium. Integration and e2e run files one at a time per worker
// because each file starts its own PostgreSQL cluster on a 2-core machine.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'server/**/*.test.ts',
            'lib/**/*.test.ts',
            'components/**/*.test.ts',
            'scripts/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            'tests/integration/**/*.test.ts',
            'tests/helpers/**/*.test.ts',
            'tests/compat/**/*.test.ts',
          ],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 300_000,
          pool: 'forks',
          maxWorkers: 1,
        },
      },
    ],
  },
});
