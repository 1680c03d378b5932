import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '#main/cli/test-cli';
import { importLookAlikeWeights, vqaRadWorkbench } from '#main/services/job-test-helpers';

const dir = mkdtempSync(join(tmpdir(), 'bw-cli-reproduce-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (argv: string[], home = join(dir, 'home')) => runCliCaptured(argv, { BIOMED_HOME: home });
const ROW = 'published:zeroshot-vqa-rad:instruct-biomedgpt-s:accuracy';

// The API's side of the flow (plan, refusals, verdict rules) is main/services/reproduce.test.ts.
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

  it('runs a row on PyTorch-written weights with its script settings and prints the verdict beside it', async () => {
    // A data folder holding VQA-RAD and PyTorch-written look-alike weights, then the CLI on it.
    const home = join(dir, 'lab');
    const wb = await vqaRadWorkbench(home);
    const weightsId = await importLookAlikeWeights(wb.ctx, home, 'look-alike S');
    wb.ctx.close();

    const r = await cli(
      ['reproduce', ROW, '--weights', weightsId, '--dataset', wb.datasetId, '--limit', '2', '--json'],
      home,
    );
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out.slice(r.out.indexOf('{')));
    expect(out.evaluation).toMatchObject({
      status: 'succeeded',
      weightsId,
      mode: 'zeroshot',
      decoding: { strategy: 'beam', beam: 5 },
    });
    expect(out.evaluation.pipeline).toMatchObject({ preset: 'released', reproduces: ROW });
    expect(out.result.measured.n).toBe(2);
    expect(out.result.published).toMatchObject({ value: expect.closeTo(0.421, 3), n: 451 });
    expect(['inside', 'outside']).toContain(out.result.verdict);

    const text = await cli(
      ['reproduce', ROW, '--weights', weightsId, '--dataset', wb.datasetId, '--limit', '2'],
      home,
    );
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(/190 \/ 451/);
    expect(text.out).toMatch(/inside|outside/);
  }, 300_000);
});
