import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { CliIO } from '#main/cli/command';
import { appRoot, rendererDir } from '#main/cli/paths';

/**
 * The built renderer, building it first when it is missing (right after `npm ci` nothing is
 * built yet): `vite build` of the renderer alone, a few seconds. Returns null, having said why,
 * when it cannot be built (an install without the dev dependencies, a failed build).
 */
export function ensureRenderer(io: CliIO): string | null {
  const dir = rendererDir();
  if (existsSync(join(dir, 'index.html'))) return dir;
  const root = appRoot();
  let vite: string;
  try {
    const pkg = createRequire(join(root, 'package.json')).resolve('vite/package.json');
    const bin = (JSON.parse(readFileSync(pkg, 'utf8')) as { bin: { vite: string } }).bin.vite;
    vite = join(dirname(pkg), bin);
  } catch {
    io.err(
      `The browser app is not built (${dir} is missing) and Vite is not installed to build it. ` +
        'Run `npm ci` (with the dev dependencies), then `npm run build`.\n',
    );
    return null;
  }
  io.err(`The browser app is not built yet; building it (${dir})...\n`);
  const r = spawnSync(
    process.execPath,
    [vite, 'build', '--config', join(root, 'vite.renderer.config.ts'), '--logLevel', 'error'],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
  );
  if (r.status !== 0 || !existsSync(join(dir, 'index.html'))) {
    io.err(
      `Building the browser app failed (\`npm run build\` shows why):\n${(r.stderr ?? '').slice(-2000)}\n`,
    );
    return null;
  }
  return dir;
}
