/**
 * One f16 train step (BIOMED_WEBGPU_PRECISION=f16: matrix products from f16 copies, f32
 * accumulation, dynamic loss scaling on by default) on SwiftShader, which has no shader-f16, so
 * the packed path, against the fp32 step on wasm from the same weights: loss, gradient norm and
 * the updated weights within the tolerances stated below. (A skipped update, an f16 overflow at
 * the first scale, is redone as the training loop does.) Tiny model: SwiftShader is slow.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { webgpuPrecisionLine } from '#main/engine/backend/index';
import { resetWebgpuDispatches, webgpuDispatches } from '#main/engine/backend/webgpu-counters';
import { onBackend } from '#main/engine/kernels/webgpu/twins';
import { tinyTestConfig } from '#main/engine/model/test-config';
import { createEngineSession, type EngineSession } from '#main/engine/session';
import type { StepResult } from '#main/engine/train/step';
import { syntheticExamples } from '#main/engine/train/train-fixture';

// SwiftShader pays per dispatch (and f16 adds two per product): one layer each side, no images.
const config = tinyTestConfig({ encLayers: 1, decLayers: 1 });
const examples = syntheticExamples(4, config).map(({ image: _image, ...rest }) => rest);
const texts = examples.flatMap((e) => [e.source, e.target, ...(e.candidates ?? [])]);
const lr = 5e-3;
const train = { schedule: { lr, totalSteps: 30, warmupRatio: 0 }, clipNorm: 0.5 };

async function session(backend: 'wasm' | 'webgpu'): Promise<EngineSession> {
  await onBackend(backend);
  return createEngineSession({ preset: config, seed: 3, vocab: { kind: 'trimmed', texts }, backend });
}

afterAll(() => {
  delete process.env['BIOMED_WEBGPU_PRECISION'];
});

describe('an f16 train step on webgpu is close to the fp32 one', () => {
  it('the run records its precision (the backend line)', async () => {
    await onBackend('webgpu');
    expect(webgpuPrecisionLine()).toBe('matmul f32');
    process.env['BIOMED_WEBGPU_PRECISION'] = 'f16';
    // SwiftShader has no shader-f16: the packed path
    expect(webgpuPrecisionLine()).toBe('matmul f16 (packed), f32 accumulation, loss scaling');
    process.env['BIOMED_WEBGPU_KERNELS'] = 'stock'; // only the own kernels have an f16 path
    expect(webgpuPrecisionLine()).toBe('matmul f32');
    delete process.env['BIOMED_WEBGPU_KERNELS'];
    delete process.env['BIOMED_WEBGPU_PRECISION'];
  });

  it('loss, gradient norm and updated weights', { timeout: 400_000 }, async () => {
    const runs: Record<string, { r: StepResult; skips: number; weights: Map<string, Float32Array> }> = {};
    let packs = 0;
    for (const b of ['wasm', 'webgpu'] as const) {
      if (b === 'webgpu') process.env['BIOMED_WEBGPU_PRECISION'] = 'f16';
      const s = await session(b);
      if (b === 'webgpu') resetWebgpuDispatches();
      let r = await s.trainStep(s.prepare(examples), train);
      let skips = 0;
      while (r.skipped) {
        skips++;
        r = await s.trainStep(s.prepare(examples), train);
      }
      if (b === 'webgpu') packs = webgpuDispatches().byProgram['biomed:half_pack'] ?? 0;
      const weights = new Map<string, Float32Array>();
      for (const [n, v] of s.weights)
        if (v.dtype === 'float32') weights.set(n, Float32Array.from(await v.data()));
      runs[b] = { r, skips, weights };
      s.dispose();
      delete process.env['BIOMED_WEBGPU_PRECISION'];
    }
    const w = runs['wasm']!;
    const h = runs['webgpu']!;
    expect(w.r.lossScale).toBeUndefined(); // fp32: no loss scaling
    expect(h.r.lossScale).toBeGreaterThan(1);
    expect(h.r.step).toBe(1);
    const lossRel = Math.abs(h.r.loss - w.r.loss) / w.r.loss;
    const normRel = Math.abs(h.r.gradNorm - w.r.gradNorm) / w.r.gradNorm;
    let maxDiff = 0;
    let over = 0;
    let total = 0;
    for (const [n, a] of w.weights) {
      const o = h.weights.get(n)!;
      for (let i = 0; i < a.length; i++) {
        const d = Math.abs(o[i]! - a[i]!);
        maxDiff = Math.max(maxDiff, d);
        if (d > 0.1 * lr) over++;
        total++;
      }
    }
    expect(packs, 'the f16 copies were made').toBeGreaterThan(0);
    expect(lossRel).toBeLessThanOrEqual(1e-3);
    expect(normRel).toBeLessThanOrEqual(1e-2);
    // AdamW's first step moves each weight by about lr whatever the gradient's size, so a gradient
    // near zero whose sign f16 rounding flips moves a weight by up to 2 lr the other way: bound
    // the worst difference by that and the number of such weights by 0.1%.
    expect(maxDiff).toBeLessThanOrEqual(2 * lr * 1.01);
    expect(over).toBeLessThanOrEqual(total / 1000);
    console.log(
      `f16 (packed) vs fp32 train step: loss rel ${lossRel.toExponential(2)}, grad norm rel ${normRel.toExponential(2)}, ` +
        `max |w16 - w32| ${maxDiff.toExponential(2)} (lr ${lr}), ${over} of ${total} weights differ by > 0.1 lr, ` +
        `${packs} f16 copies, skipped ${h.skips}, loss scale after ${h.r.lossScale}`,
    );
  });
});
