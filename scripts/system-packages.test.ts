import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { ensureSystemPackages, readPackageList } from './system-packages.mjs';

/** A fake Debian: `have` is installed; apt-get installs what it is asked for unless `aptFails`. */
function fakeSystem(opts: {
  have: string[];
  root: boolean;
  apt?: boolean;
  dpkg?: boolean;
  aptFails?: boolean;
}) {
  const have = new Set(opts.have);
  const calls: string[][] = [];
  return {
    calls,
    system: {
      hasDpkg: () => opts.dpkg ?? true,
      hasApt: () => opts.apt ?? true,
      isRoot: () => opts.root,
      installed: (p: string) => have.has(p),
      run: (cmd: string, args: string[]) => {
        calls.push([cmd, ...args]);
        if (args[0] === 'install' && !opts.aptFails) for (const p of args.slice(3)) have.add(p);
        return !opts.aptFails;
      },
    },
  };
}

type Result = { ok: boolean; message: string };
const ensure = (o: object) => ensureSystemPackages(o) as Result;

describe('the Debian package list npm test needs', () => {
  it('reads names, dropping comments and blank lines; the real list parses', () => {
    expect(readPackageList('# head\nchromium   # e2e\n\n  python3-torch\n')).toEqual([
      'chromium',
      'python3-torch',
    ]);
    const real = readPackageList() as string[];
    expect(real).toContain('chromium');
    expect(real.every((p) => /^[a-z0-9][a-z0-9+.-]+$/.test(p))).toBe(true);
  });

  it('as root with apt: installs exactly the missing packages, then checks again', () => {
    const f = fakeSystem({ have: ['a'], root: true });
    const r = ensure({ system: f.system, packages: ['a', 'b', 'c'] });
    expect(r.ok).toBe(true);
    expect(f.calls).toEqual([
      ['apt-get', 'update', '-qq'],
      ['apt-get', 'install', '-y', '--no-install-recommends', 'b', 'c'],
    ]);
  });

  it('not root: installs nothing and names the packages and the exact command', () => {
    const f = fakeSystem({ have: ['a'], root: false });
    const r = ensure({ system: f.system, packages: ['a', 'b'] });
    expect(r.ok).toBe(false);
    expect(r.message).toContain('sudo apt-get update && sudo apt-get install -y --no-install-recommends b');
    expect(f.calls).toEqual([]);
  });

  it('a failed install fails, naming what is still missing; all present does nothing', () => {
    const bad = fakeSystem({ have: [], root: true, aptFails: true });
    expect(ensure({ system: bad.system, packages: ['x'] })).toMatchObject({
      ok: false,
      message: /still missing: x/,
    });
    const ok = fakeSystem({ have: ['a'], root: true });
    expect(ensure({ system: ok.system, packages: ['a'] }).ok).toBe(true);
    expect(ok.calls).toEqual([]);
  });

  it('not Debian: a note, not a failure', () => {
    const f = fakeSystem({ have: [], root: true, dpkg: false });
    expect(ensure({ system: f.system, packages: ['a'] })).toMatchObject({
      ok: true,
      message: /not a Debian system/,
    });
  });
});

describe('CI runs exactly the README test command', () => {
  it('.ci/run runs `npm ci && npm test` and installs nothing itself', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const root = join(import.meta.dirname, '..');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const command = /^(npm ci && npm test)\s+#/m.exec(readme)?.[1];
    expect(command).toBe('npm ci && npm test');
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    const commands = ci.filter((l) => /\bnpm (ci|test)\b/.test(l));
    expect(commands.map((l) => l.replace(/ --no-audit --no-fund/, ''))).toEqual([command]);
    expect(ci.join('\n')).not.toMatch(/apt-get|dpkg/);
  });
});
