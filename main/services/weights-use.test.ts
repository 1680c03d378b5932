// Imported weights in use: initial weights of a fine-tune, zero-shot evaluation without a run,
// where they are used, and deletion (evaluations are kept).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

import { CUSTOM_TEST_CONFIG, requireTorch } from '#main/data/weights/test-fixtures';
import type { EvaluationSummary } from '#shared/domain/evaluation';
import { parameterCount } from '#shared/model/weight-shapes';
import { importLookAlikeWeights, QUICK, vqaRadWorkbench, waitUntil } from './job-test-helpers';

let env: Awaited<ReturnType<typeof vqaRadWorkbench>>;
let weightsId: string;

/** Raw bytes of one tensor of a safetensors file (services may not import the engine). */
function tensor(file: string, name: string): Float32Array {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const e = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'))[name] as { data_offsets: [number, number] };
  const slice = bytes.subarray(8 + n + e.data_offsets[0], 8 + n + e.data_offsets[1]);
  return new Float32Array(slice.buffer.slice(slice.byteOffset, slice.byteOffset + slice.byteLength));
}

beforeAll(async () => {
  requireTorch();
  env = await vqaRadWorkbench();
  weightsId = await importLookAlikeWeights(env.ctx, env.dir, 'custom published');
});
afterAll(() => env?.dispose());

describe('imported weights in use', () => {
  it('start a fine-tune (their own shape and vocabulary) and say where they are used', async () => {
    const { ctx } = env;
    const created = await ctx.invoke('experiments.create', {
      name: 'from weights',
      task: 'vqa',
      datasets: [{ datasetId: env.datasetId }],
      scale: 'cpu-xs',
      init: { type: 'weights', weightsId },
      // a vanishing learning rate: the checkpoint must still be the imported weights
      hyperparameters: { ...QUICK, lr: 1e-12, steps: 1 },
      evaluate: { split: null },
    });
    const runId = created.runs[0]!.id;
    expect(created.runs[0]!.params).toBe(parameterCount(CUSTOM_TEST_CONFIG));
    const run = await ctx.scheduler.waitForRun(runId);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const stored = ctx.store.weights.get(weightsId)!.storedPath;
    const ckpt = join(ctx.store.checkpoints.latest(runId)!.path, 'model.safetensors');
    for (const name of ['encoder.layers.1.fc1.weight', 'decoder.layers.0.encoder_attn.k_proj.weight']) {
      const a = tensor(stored, name);
      const b = tensor(ckpt, name);
      expect(a.length).toBe(b.length);
      let d = 0;
      for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
      expect(d, name).toBeLessThan(1e-6);
    }
    const usage = await ctx.invoke('weights.usage', { id: weightsId });
    expect(usage.runs.map((r) => r.id)).toEqual([runId]);
  });

  it('are evaluated zero-shot without a run, with the released code’s decoding', async () => {
    const { ctx } = env;
    const ev = await ctx.invoke('evaluations.create', {
      weightsId,
      datasetId: env.datasetId,
      limit: 3,
    });
    expect(ev).toMatchObject({ runId: null, weightsId, weightsName: 'custom published', mode: 'zeroshot' });
    expect(ev.decoding).toMatchObject({ strategy: 'beam', beam: 5 }); // spec §2.3: fairseq's default beam
    let done: EvaluationSummary | undefined;
    await waitUntil(
      () => {
        done = ctx.store.evaluations.get(ev.id);
        return done?.status === 'succeeded' || done?.status === 'failed';
      },
      240_000,
      'the evaluation from weights',
    );
    expect(done?.status, done?.error ?? '').toBe('succeeded');
    expect(done?.done).toBe(3);
    expect(done?.metrics['accuracy']?.n).toBe(3);
    const usage = await ctx.invoke('weights.usage', { id: weightsId });
    expect(usage.evaluations.map((e) => e.id)).toEqual([ev.id]);
    await expect(
      ctx.invoke('evaluations.create', { weightsId, runId: 'x', datasetId: env.datasetId }),
    ).rejects.toThrow(/either runId/);
    await expect(
      ctx.invoke('evaluations.create', { weightsId: 'nope', datasetId: env.datasetId }),
    ).rejects.toThrow(/No imported weights/);
    // deleting the weights keeps the evaluation and its predictions
    await ctx.invoke('weights.delete', { id: weightsId });
    expect(ctx.store.evaluations.get(ev.id)).toMatchObject({ status: 'succeeded', weightsId: null });
  });
});
