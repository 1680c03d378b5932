// Peak bytes of wasm kernel outputs alive at once during one train step, and which kernels and
// shapes hold them at that moment.   npx tsx bench/step-memory.ts [preset] [groups listed, 15]
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '#main/engine/backend/index';
import type { PresetName } from '#shared/model/presets';
import { DEFAULT_WORKLOAD, makeTrainStep } from './train-step-tfjs';

interface Tracked {
  makeOutput(shape: number[], dtype: string, offset?: number, values?: unknown): TensorInfoLike;
  disposeData(dataId: object, force?: boolean): boolean;
  wasm: { HEAPU8: Uint8Array };
}
interface TensorInfoLike {
  dataId: object;
}

const preset = (process.argv[2] ?? 'cpu-s') as PresetName;
const top = Number(process.argv[3] ?? 15); // groups listed
await initBackend({ prefer: 'wasm', strict: true });
const h = makeTrainStep(preset, DEFAULT_WORKLOAD);
await h.step();
const be = tf.backend() as unknown as Tracked;
const sizes = new Map<object, number>();
const labels = new Map<object, string>();
let current = '';
let live = 0;
let peak = 0;
let atPeak = new Map<string, number>();
// Label each allocation with the outermost kernel that made it.
for (const k of tf.getKernelsForBackend('wasm')) {
  const f = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'wasm');
  tf.registerKernel({
    ...k,
    kernelFunc: ((a: never) => {
      const prev = current;
      current = current || k.kernelName;
      try {
        return f(a);
      } finally {
        current = prev;
      }
    }) as typeof f,
  });
}
const makeOutput = be.makeOutput.bind(be);
be.makeOutput = (shape, dtype, offset, values) => {
  const out = makeOutput(shape, dtype, offset, values);
  if (offset == null) {
    const bytes = shape.reduce((p, x) => p * x, 1) * (dtype === 'bool' ? 1 : 4);
    sizes.set(out.dataId, bytes);
    labels.set(out.dataId, `${current} ${JSON.stringify(shape)}`);
    live += bytes;
    if (live > peak) {
      peak = live;
      atPeak = new Map();
      for (const [id, b] of sizes) {
        const label = labels.get(id) ?? '?';
        atPeak.set(label, (atPeak.get(label) ?? 0) + b);
      }
    }
  }
  return out;
};
const disposeData = be.disposeData.bind(be);
be.disposeData = (id, force) => {
  const freed = disposeData(id, force);
  if (freed && sizes.has(id)) {
    live -= sizes.get(id)!;
    sizes.delete(id);
  }
  return freed;
};
const mib = (b: number) => (b / 2 ** 20).toFixed(1);
await h.step();
console.log(
  `${preset}: peak ${mib(peak)} MiB of kernel outputs alive at once during a step; wasm heap ` +
    `${mib(be.wasm.HEAPU8.length)} MiB; tensors after the step ${mib(tf.memory().numBytes)} MiB`,
);
for (const [label, b] of [...atPeak].sort((x, y) => y[1] - x[1]).slice(0, top)) {
  console.log(`${mib(b).padStart(8)} MiB  ${label}`);
}
