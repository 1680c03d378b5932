import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '#main/cli/command';
import { runCli } from '#main/cli/main';

const dir = mkdtempSync(join(tmpdir(), 'bw-cli-reproduce-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const io: CliIO = {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: { BIOMED_HOME: join(dir, 'home') },
  };
  return { code: await runCli(argv, io), out, err };
}

// The flow itself (weights, dataset, evaluation, verdict) is main/services/reproduce.test.ts.
describe('biomed reproduce', () => {
  it('names what it needs, and the row it cannot find', async () => {
    const none = await cli(['reproduce']);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/a reference row, --weights and --dataset are required/);
    const unknown = await cli(['reproduce', 'no-such-row', '--weights', 'w', '--dataset', 'd']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/No reference row "no-such-row"/);
    const many = await cli(['reproduce', 'zeroshot-vqa-rad', '--weights', 'w', '--dataset', 'd']);
    expect(many.err).toMatch(/matches \d+ reference rows/);
  });
});
