import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '#main/cli/test-cli';

const dir = mkdtempSync(join(tmpdir(), 'bw-cli-reproduce-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (argv: string[]) => runCliCaptured(argv, { BIOMED_HOME: join(dir, 'home') });

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
