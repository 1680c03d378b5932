import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'shared/**/*.test.ts',
      'db/**/*.test.ts',
      'main/**/*.test.ts',
      'renderer/**/*.test.{ts,tsx}',
      'bench/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    // Against a real Slurm: vitest.slurm.config.ts, run by `npm test` between cluster start and stop.
    exclude: ['**/node_modules/**', '**/*.slurm.test.ts'],
    environment: 'node',
    // Test files run in parallel forks: one WebAssembly thread each (wasm-threads.test.ts sets 2).
    env: { BIOMED_WASM_THREADS: '1' },
    // A software GPU (SwiftShader) for the webgpu tests.
    setupFiles: ['main/engine/backend/test-gpu-env.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
