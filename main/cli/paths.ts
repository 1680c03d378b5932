import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or packaged app) root: the nearest folder up from here with a package.json. */
export function appRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

/** The built renderer served in browser mode and loaded by the desktop window. */
export function rendererDir(): string {
  return join(appRoot(), 'build', 'renderer');
}
