#!/usr/bin/env node
// Runs the built CLI when present, else the TypeScript source through tsx (development).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'build', 'main', 'cli.js');
if (existsSync(built) && !process.env.BIOMED_FROM_SOURCE) {
  await import(built);
} else {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'main', 'cli', 'index.ts'), ...process.argv.slice(2)],
    { stdio: 'inherit', cwd: process.cwd() },
  );
  process.exitCode = result.status ?? 1;
}
