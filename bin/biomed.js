#!/usr/bin/env node
// Runs the built CLI when present, else the TypeScript source through tsx (development).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'build', 'main', 'cli.js');
if (existsSync(built) && !process.env.BIOMED_FROM_SOURCE) {
  await import(built);
} else {
  // A child process (tsx), so signals sent to this wrapper are passed on: killing `biomed serve`
  // by its pid must not leave the server running as an orphan.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'main', 'cli', 'index.ts'), ...process.argv.slice(2)],
    { stdio: 'inherit', cwd: process.cwd() },
  );
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    console.error(`biomed: could not start the CLI from source: ${err.message}`);
    process.exitCode = 1;
  });
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}
