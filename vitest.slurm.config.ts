import { defineConfig } from 'vitest/config';

// The cluster suite against a real one-node Slurm (scripts/slurm-local.sh start). `npm test`
// starts the cluster, runs this, and stops it; the default suite (vitest.config.ts) skips these.
export default defineConfig({
  test: {
    include: ['main/**/*.slurm.test.ts'],
    environment: 'node',
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
  },
});
