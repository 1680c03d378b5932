import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIO } from './command';
import { runCli } from './main';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bw-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[], env: NodeJS.ProcessEnv = { BIOMED_HOME: join(dir, 'home') }) {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), env };
  const code = await runCli(argv, io);
  return { code, out, err };
}

describe('biomed CLI', () => {
  it('prints help listing its commands', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const name of ['info', 'runs', 'serve']) expect(r.out).toContain(`  ${name}`);
  });

  it('prints [] for `runs list --json` on a fresh data folder', async () => {
    const r = await cli(['runs', 'list', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual([]);
  });

  it('rejects unknown commands and options with usage (exit 2)', async () => {
    expect((await cli(['fly'])).code).toBe(2);
    const r = await cli(['runs', 'list', '--colour']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Usage: biomed runs list');
  });

  it('names a damaged database file and does not touch it', async () => {
    const home = join(dir, 'home2');
    await cli(['runs', 'list'], { BIOMED_HOME: home });
    writeFileSync(join(home, 'workbench.sqlite'), 'garbage'.repeat(10));
    const r = await cli(['runs', 'list'], { BIOMED_HOME: home });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${join(home, 'workbench.sqlite')} is not a SQLite database`);
  });
});
