import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Files whose module graph must be their own: the CLI tier (in-process runs change process.env and the working
// folder), a test that mocks node:fs/promises before importing the code under test, and the pods run under docker
// by .ci/steps/k8s (kept as they ran there).
export const ISOLATED = ['test/cli/**/*.test.ts', 'test/cache/lock-race.test.ts', 'test/k8s/pods.test.ts'];

export default defineConfig({
  test: {
    // Integration tests start real processes and servers; give them room on a 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one worker fewer than the cores: one on the 2-core CI machine, where most files wait on
    // child processes and sockets more than they compute. At least two; elsewhere the default.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      { extends: true, test: { name: 'isolated', include: ISOLATED } },
      // The rest share one module graph per worker: each file's imports (zod, yaml, undici, src/) are not
      // evaluated again (measured: a third less CPU for these files).
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: ISOLATED, isolate: false } },
    ],
  },
});
