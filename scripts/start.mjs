// `npm start`: build, then open the desktop app; where Electron cannot open a window (no binary,
// no display), serve browser mode on 127.0.0.1 and say so.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const browserOnly = process.argv.includes('--browser');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const build = spawnSync(npm, ['run', '--silent', 'build'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (build.status !== 0) {
  console.error('Build failed; see the errors above.');
  process.exit(1);
}

function electronProblem() {
  if (browserOnly) return 'browser mode was asked for';
  let binary;
  try {
    binary = createRequire(import.meta.url)('electron');
  } catch (err) {
    return `Electron's binary is not installed (${String(err.message).split('\n')[0]})`;
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return "Electron's binary is not installed";
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
  }
  return undefined;
}

const problem = electronProblem();
if (problem === undefined) {
  const electron = createRequire(import.meta.url)('electron');
  const child = spawn(electron, [join(root, 'build', 'main', 'electron-main.js')], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(`Electron cannot open a window here: ${problem}.`);
  console.log('Starting the workbench in browser mode instead (the same app, in your web browser).');
  const port = process.env.PORT ?? '0';
  const child = spawn(process.execPath, [join(root, 'build', 'main', 'cli.js'), 'serve', '--port', port], {
    stdio: 'inherit',
    cwd: root,
  });
  const stop = () => child.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code) => process.exit(code ?? 0));
}
