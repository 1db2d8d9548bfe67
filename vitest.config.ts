import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/support/sequencer.ts';

const TIME_SKIPPING = 'test/**/*.timeskip.test.ts';

export default defineConfig({
  test: {
    globalSetup: ['test/support/globalSetup.ts'],
    // Forks, not threads: the Temporal worker loads a native addon that is happiest in its own process.
    pool: 'forks',
    // Most files wait on Temporal and child processes rather than the CPU: run several at once even on 2 cores.
    maxWorkers: 3,
    // Longest files first, both projects in one queue (test/support/sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/support/summaryReporter.ts'],
    projects: [
      // CLI verbs keep their tests beside them (src/cli/commands/<group>/<verb>.test.ts).
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts', 'src/**/*.test.ts'], exclude: [TIME_SKIPPING] } },
      {
        extends: true,
        // Each of these files starts a time-skipping test server of its own (test/support/timeSkippingServer.ts).
        test: { name: 'time-skipping', include: [TIME_SKIPPING] },
      },
    ],
  },
});
