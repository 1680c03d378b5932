import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The Electron binary when it was downloaded at install time; undefined where it could not be. */
export function electronBinary(): string | undefined {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}
