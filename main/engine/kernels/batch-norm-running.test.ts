import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { BN_RUNNING, runningStats, runningStatsOps } from './batch-norm-running';
import { setWasmOpsMode } from './wasm-ops';

describe('BatchNorm running statistics in one kernel call on wasm', () => {
  for (const mode of ['single-pass', 'composed'] as const)
    it(`equals the tf-op form bit for bit (${mode})`, async () => {
      await initBackend({ prefer: 'wasm', strict: true });
      setWasmOpsMode(mode);
      const c = 37;
      const run = {
        mean: tf.randomNormal([c], 0, 1, 'float32', 1),
        variance: tf.randomUniform([c], 0.5, 2, 'float32', 2),
      };
      const batch = {
        mean: tf.randomNormal([c], 0, 1, 'float32', 3),
        variance: tf.randomUniform([c], 0, 3, 'float32', 4),
      };
      const attrs = { count: 8 * 6 * 6, momentum: 0.1 };
      let got: tf.Tensor[] = [];
      const prof = await tf.profile(() => {
        got = runningStats(run, batch, attrs);
      });
      expect(prof.kernels.map((k) => k.name)).toEqual([BN_RUNNING]);
      const want = runningStatsOps(run, batch, attrs);
      expect(got[0]!.dataSync()).toEqual(want[0]!.dataSync());
      expect(got[1]!.dataSync()).toEqual(want[1]!.dataSync());
      // the update moved both statistics toward the batch's
      expect(got[0]!.dataSync()).not.toEqual(run.mean.dataSync());
      const before = tf.memory().numTensors;
      tf.dispose(runningStats(run, batch, attrs));
      expect(tf.memory().numTensors).toBe(before);
      setWasmOpsMode(undefined);
    });
});
