// After `npm ci`: build the native CPU GEMM addon (scripts/build-native.mjs; a failure only means
// the engine uses its WebAssembly GEMM), then fetch Electron's binary where the network allows it. Electron's own install
// script is denied in package.json (allowScripts) because its failure would fail the whole
// install on offline machines; here a failure only means `npm start` uses browser mode.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

spawnSync(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'build-native.mjs')], {
  stdio: 'inherit',
});

const require = createRequire(import.meta.url);
let electronDir;
try {
  electronDir = dirname(require.resolve('electron/package.json'));
} catch {
  process.exit(0); // production install without devDependencies
}
if (existsSync(join(electronDir, 'path.txt')) || process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) process.exit(0);
const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
  stdio: ['ignore', 'ignore', 'pipe'],
  timeout: 120_000,
  encoding: 'utf8',
});
if (result.status === 0 && existsSync(join(electronDir, 'path.txt'))) {
  console.log('biomed-workbench: Electron binary installed; `npm start` opens the desktop app.');
} else {
  const reason =
    (result.stderr ?? '').split('\n').find((l) => l.trim()) ?? result.error?.message ?? 'unknown';
  console.log(
    `biomed-workbench: Electron's binary could not be downloaded (${reason.slice(0, 160)}). ` +
      '`npm start` will serve the workbench in browser mode instead.',
  );
}
