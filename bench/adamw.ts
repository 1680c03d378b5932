// Time of one AdamW update over every weight of a rung: main/engine/train/adamw.ts (tf ops)
// against the fused kernel (main/engine/kernels/adamw-fused.ts).
//   npx tsx bench/adamw.ts [preset] [backend]
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, parseBackendName } from '#main/engine/backend/index';
import { fusedAdamW } from '#main/engine/kernels/adamw-fused';
import { createWeights, trainable } from '#main/engine/model/weights';
import { adamwUpdate, createAdamState, DEFAULT_ADAM } from '#main/engine/train/adamw';
import { type PresetName, presetConfig } from '#shared/model/presets';

const preset = (process.argv[2] ?? 'cpu-s') as PresetName;
const info = await initBackend({ prefer: parseBackendName(process.argv[3]) ?? 'wasm', strict: true });
const config = presetConfig(preset);
const weights = createWeights(config, 1);
const names = [...weights].filter(([, v]) => v.trainable).map(([n]) => n);
const grads = new Map(names.map((n) => [n, tf.randomNormal(weights.get(n)!.shape, 0, 1e-3)]));
const state = createAdamState();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const opTimes: number[] = [];
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  adamwUpdate(DEFAULT_ADAM, state, weights, grads, 1e-4);
  opTimes.push(performance.now() - t0);
}
const m = new Map<string, tf.Tensor>();
const v = new Map<string, tf.Tensor>();
const fusedTimes: number[] = [];
for (let t = 1; t <= 7; t++) {
  const t0 = performance.now();
  const stepSize = (1e-4 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
  for (const n of names) {
    const p = weights.get(n)!;
    const [p1, m1, v1] = fusedAdamW(p, grads.get(n)!, m.get(n), v.get(n), {
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      decayRate: 1e-4 * 0.01,
      stepSize,
      gradScale: 1,
    });
    p.assign(p1);
    p1.dispose();
    m.get(n)?.dispose();
    v.get(n)?.dispose();
    m.set(n, m1);
    v.set(n, v1);
  }
  fusedTimes.push(performance.now() - t0);
}
console.log(
  `${preset} on ${info.name}: ${names.length} weights, ${trainable(weights).reduce((s, w) => s + w.size, 0)} params; ` +
    `AdamW tf ops ${median(opTimes).toFixed(1)} ms, fused ${median(fusedTimes).toFixed(1)} ms (median of 7)`,
);
