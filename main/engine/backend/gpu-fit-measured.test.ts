import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { onBackend } from '#main/engine/kernels/webgpu/twins';
import { tinyTestConfig } from '#main/engine/model/test-config';
import { createEngineSession } from '#main/engine/session';
import { syntheticExamples } from '#main/engine/train/train-fixture';
import { estimateGpuStep } from '#shared/model/memory';

/**
 * The fit check's estimate (estimateGpuStep) against the peak GPU bytes a WebGPU train step
 * really allocates, measured on SwiftShader from tfjs' buffer manager (bytes in use, sampled at
 * every buffer acquisition) over the second step of a session. The estimate must not be below
 * the measurement (it refuses runs that cannot fit) and at most 1.6x above it.
 */

interface Manager {
  numBytesUsed: number;
  acquireBuffer(...a: unknown[]): unknown;
}

const train = { schedule: { lr: 5e-3, totalSteps: 30, warmupRatio: 0.1 }, clipNorm: 0.5 };

describe('the GPU fit estimate against a measured train step', () => {
  for (const [d, batch] of [
    [32, 2],
    [64, 4],
  ] as const) {
    it(`dModel ${d}, batch ${batch}, text only`, { timeout: 300_000 }, async () => {
      await onBackend('webgpu');
      const bm = (tf.backend() as unknown as { bufferManager: Manager }).bufferManager;
      const preset = tinyTestConfig({ dModel: d, ffn: 4 * d, encLayers: 1, decLayers: 1 });
      const ex = syntheticExamples(batch, preset).map(({ image: _image, ...e }) => e);
      const texts = ex.flatMap((e) => [e.source, e.target, ...(e.candidates ?? [])]);
      const s = await createEngineSession({
        preset,
        seed: 3,
        vocab: { kind: 'trimmed', texts },
        backend: 'webgpu',
      });
      const acquire = bm.acquireBuffer;
      let peak = 0;
      bm.acquireBuffer = (...a: unknown[]) => {
        const r = acquire.apply(bm, a);
        peak = Math.max(peak, bm.numBytesUsed);
        return r;
      };
      try {
        const b = s.prepare(ex);
        await s.trainStep(b, train); // creates the Adam moments
        peak = 0;
        await s.trainStep(b, train);
        const est = estimateGpuStep(
          s.config,
          {
            batchSize: batch,
            sourceLength: b.srcLen,
            targetLength: b.tgtLen,
            training: true,
            withImage: false,
          },
          2 ** 31 - 4,
        );
        const ratio = est.peakBytes / peak;
        console.log(
          `fit estimate dModel ${d} batch ${batch}: measured peak ${peak} B, estimate ${Math.round(est.peakBytes)} B (${ratio.toFixed(2)}x; update ${est.updateBytes} B, activations ${Math.round(est.activationBytes)} B)`,
        );
        expect(ratio).toBeGreaterThanOrEqual(1);
        expect(ratio).toBeLessThanOrEqual(1.6);
      } finally {
        bm.acquireBuffer = acquire;
        s.dispose();
      }
    });
  }
});
