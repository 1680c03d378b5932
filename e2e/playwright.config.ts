import { defineConfig } from '@playwright/test';
import { electronBinary } from './electron-binary';

// Browser mode in Debian's Chromium always; the desktop app too where Electron's binary exists.
export default defineConfig<{ mode: 'browser' | 'electron' }>({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../test-results/e2e',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '../test-results/e2e-results.json' }]],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1360, height: 860 },
  },
  projects: [
    { name: 'browser', use: { mode: 'browser' } },
    ...(electronBinary() ? [{ name: 'electron', use: { mode: 'electron' as const } }] : []),
  ],
});
