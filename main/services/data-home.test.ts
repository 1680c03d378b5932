import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataHomeError, defaultDataRoot, platformDataDir, prepareDataHome } from './data-home';

describe('data folder', () => {
  it('uses BIOMED_HOME, else the platform data directory', () => {
    expect(defaultDataRoot({ BIOMED_HOME: '/x/y' })).toBe('/x/y');
    expect(platformDataDir({ XDG_DATA_HOME: '/d' }, 'linux')).toBe('/d/biomed-workbench');
    expect(platformDataDir({ APPDATA: 'C:/A' }, 'win32')).toContain('Biomed Workbench');
  });

  it('creates the folder layout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-home-'));
    const home = prepareDataHome(join(dir, 'new'));
    expect(existsSync(home.blobs) && existsSync(home.runs)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('explains a data folder that cannot be written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-home-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    expect(() => prepareDataHome(join(file, 'home'))).toThrowError(DataHomeError);
    expect(() => prepareDataHome(join(file, 'home'))).toThrowError(
      /data folder .*a-file\/home is not writable \(ENOTDIR\)/,
    );
    rmSync(dir, { recursive: true, force: true });
  });
});
