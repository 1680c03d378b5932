import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from '#main/cli/test-cli';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'bw-cli-cluster-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const cli = (argv: string[]) => runCliCaptured(argv, { BIOMED_HOME: home });

// The profile commands need no cluster (the Slurm suite runs `cluster test` against a real one).
describe('biomed cluster', () => {
  it('adds, lists, replaces and removes profiles', async () => {
    const add = await cli([
      'cluster',
      'add',
      'lab',
      '--ssh',
      'login.lab.example',
      '--partition',
      'gpu',
      '--gpus',
      '2',
      '--mem',
      '64000',
      '--time',
      '12:00:00',
      '--work-dir',
      '/scratch/me',
      '--checkout',
      '/opt/biomed',
      '--prepare',
      'module load cuda/11.8',
      '--prepare',
      'source ~/venv/bin/activate',
    ]);
    expect(add.code, add.err).toBe(0);
    const list = await cli(['cluster', 'list', '--json']);
    const [p] = JSON.parse(list.out) as Record<string, unknown>[];
    expect(p).toMatchObject({
      name: 'lab',
      access: { kind: 'ssh', host: 'login.lab.example', configFile: null },
      partition: 'gpu',
      gpus: 2,
      memoryMb: 64000,
      timeLimit: '12:00:00',
      prepare: ['module load cuda/11.8', 'source ~/venv/bin/activate'],
      accounting: 'auto',
    });
    expect((await cli(['cluster', 'list'])).out).toMatch(/lab\s+ssh login\.lab\.example\s+gpu/);
    await cli(['cluster', 'add', 'lab', '--work-dir', '/scratch/me', '--checkout', '/opt/biomed']);
    expect(
      (JSON.parse((await cli(['cluster', 'list', '--json'])).out) as { access: unknown }[])[0]!.access,
    ).toEqual({
      kind: 'local',
    });
    expect((await cli(['cluster', 'remove', 'lab'])).code).toBe(0);
    expect((await cli(['cluster', 'remove', 'lab'])).code).toBe(1);
  });

  it('refuses a bad profile naming the field, and storing nothing', async () => {
    const r = await cli([
      'cluster',
      'add',
      'x',
      '--work-dir',
      'relative/path',
      '--checkout',
      '/opt',
      '--time',
      'soon',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/workDir: must be an absolute path/);
    expect(r.err).toMatch(/timeLimit: must be a Slurm time limit/);
    expect((await cli(['cluster', 'list', '--json'])).out.trim()).toBe('[]');
    expect((await cli(['cluster', 'test', 'nope'])).err).toMatch(/No cluster profile named "nope"/);
  });
});
