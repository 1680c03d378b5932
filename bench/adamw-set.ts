import * as tf from '@tensorflow/tfjs-core';
import type { AdamWItem } from '#main/engine/kernels/adamw-many';

/** A weight set like cpu-s' for the kernel benches: 275 weights, the embedding [4096, 128] among them. */
export function cpuSAdamWSet() {
  const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
  const shapes = [[4096, 128], ...Array.from({ length: 274 }, (_, i) => (i % 3 === 0 ? [128, 512] : [128]))];
  const items: AdamWItem[] = shapes.map((s, i) => ({
    p: rand(s, 100 + i),
    g: rand(s, 400 + i),
    m: tf.mul(rand(s, 700 + i), 0.1),
    v: tf.abs(tf.mul(rand(s, 1000 + i), 0.01)),
    decayRate: s.length > 1 ? 1e-6 : 0,
  }));
  const floats = shapes.reduce((t, s) => t + s.reduce((a, b) => a * b, 1), 0);
  const scalars = { beta1: 0.9, beta2: 0.999, eps: 1e-8, stepSize: 1e-4, gradScale: 0.5 };
  return { items, label: `${shapes.length} weights, ${(floats / 1e6).toFixed(2)} M floats`, scalars };
}
