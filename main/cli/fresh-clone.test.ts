import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '#main/cli/paths';

// The README's commands right after `npm ci`: a copy of the checkout's files (tracked and new,
// as git lists them) with nothing built, `node_modules` linked in, and `node bin/biomed.js ...`
// run there as a new user would.
const repo = appRoot();
let clone: string;
let home: string;
let serve: ChildProcess | undefined;

beforeAll(() => {
  clone = mkdtempSync(join(tmpdir(), 'bw-fresh-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: repo,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && existsSync(join(repo, f)) && f !== 'node_modules');
  for (const f of files) {
    mkdirSync(dirname(join(clone, f)), { recursive: true });
    cpSync(join(repo, f), join(clone, f));
  }
  symlinkSync(join(repo, 'node_modules'), join(clone, 'node_modules'));
  home = join(clone, '.home');
});
afterAll(() => {
  serve?.kill('SIGKILL');
  rmSync(clone, { recursive: true, force: true });
});

const biomed = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/biomed.js', ...args], {
    cwd: clone,
    encoding: 'utf8',
    env: { ...process.env, BIOMED_HOME: home },
    timeout: 120_000,
  });

describe('right after npm ci (nothing built)', () => {
  it('has no build folder', () => {
    expect(existsSync(join(clone, 'build'))).toBe(false);
  });

  it('biomed --help, info, model presets and datasets list work from source', () => {
    const help = biomed('--help');
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/serve/);
    const info = biomed('info');
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout).toContain(home);
    const presets = biomed('model', 'presets', '--json');
    expect(presets.status, presets.stderr).toBe(0);
    expect(JSON.parse(presets.stdout).length).toBeGreaterThan(3);
    const list = biomed('datasets', 'list', '--json');
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
  }, 240_000);

  it('biomed serve builds the browser app on first use and serves it with the token', async () => {
    serve = spawn(process.execPath, ['bin/biomed.js', 'serve', '--port', '0'], {
      cwd: clone,
      env: { ...process.env, BIOMED_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    serve.stderr!.on('data', (d) => {
      err += String(d);
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      serve!.stdout!.on('data', (d) => {
        out += String(d);
        const m = /open: (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      serve!.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
    });
    expect(err).toMatch(/building it/);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<script type="module"[^>]+src="\.\/assets\//);
    expect(existsSync(join(clone, 'build', 'renderer', 'index.html'))).toBe(true);
    // Stopping the command by its pid stops the server it started (no orphan keeps the port).
    serve.removeAllListeners('exit');
    const exited = new Promise<void>((resolve) => serve!.once('exit', () => resolve()));
    serve.kill('SIGTERM');
    await exited;
    await new Promise((r) => setTimeout(r, 500));
    await expect(fetch(url)).rejects.toThrow();
  }, 240_000);
});
