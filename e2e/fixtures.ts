import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, test as base, chromium, type Page } from '@playwright/test';
import { CHROMIUM } from './chromium';
import { electronBinary } from './electron-binary';

export const repoRoot = join(import.meta.dirname, '..');

/** A workbench on a fresh data folder, and a page showing it. */
export interface Workbench {
  readonly home: string;
  readonly page: Page;
  readonly url: string;
  /** Opens a page of the app (`'settings'` -> `#/settings`). */
  goto(pageId: string): Promise<void>;
}

async function startServer(home: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'biomed.js'), 'serve', '--port', '0'], {
    env: { ...process.env, BIOMED_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`biomed serve did not start:\n${log}`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /open: (http:\/\/\S+)/.exec(log);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    child.once('exit', (code) => reject(new Error(`biomed serve exited with ${code}:\n${log}`)));
  });
  return { child, url };
}

export const test = base.extend<{ mode: 'browser' | 'electron'; workbench: Workbench }>({
  mode: ['browser', { option: true }],
  workbench: async ({ mode }, use) => {
    const home = mkdtempSync(join(tmpdir(), 'bw-e2e-'));
    if (mode === 'electron') {
      const app = await _electron.launch({
        executablePath: electronBinary(),
        args: [join(repoRoot, 'build', 'main', 'electron-main.js')],
        env: { ...process.env, BIOMED_HOME: home },
      });
      const page = await app.firstWindow();
      const url = page.url().split('#')[0] ?? '';
      await use({ home, page, url, goto: (id) => page.goto(`${url}#/${id}`).then(() => undefined) });
      await app.close();
    } else {
      const { child, url } = await startServer(home);
      const browser = await chromium.launch(CHROMIUM);
      const page = await browser.newPage();
      await page.goto(url);
      await use({ home, page, url, goto: (id) => page.goto(`${url}#/${id}`).then(() => undefined) });
      await browser.close();
      child.kill('SIGTERM');
    }
    rmSync(home, { recursive: true, force: true });
  },
});

export { expect } from '@playwright/test';
