// Child of wasm-threads.test.ts: runs XNNPACK-backed stock kernels (and the engine's matmul and
// conv-gradient kernels built on them) on the wasm backend with BIOMED_WASM_THREADS threads and
// prints {threads, outputs: {name: base64 float32}} as one JSON line.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './index';

const info = await initBackend({ prefer: 'wasm', strict: true });
const rnd = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);
const cases: Record<string, () => tf.Tensor> = {
  matMul: () => tf.matMul(rnd([67, 129], 1), rnd([129, 71], 2)),
  matMulTransposed: () => tf.matMul(rnd([129, 67], 3), rnd([71, 129], 4), true, true),
  batchMatMul: () => tf.matMul(rnd([4, 33, 65], 5), rnd([4, 65, 17], 6)),
  fusedMatMul: () =>
    tf.fused.matMul({ a: rnd([40, 96], 7), b: rnd([96, 50], 8), bias: rnd([50], 9), activation: 'relu' }),
  conv2d: () =>
    tf.conv2d(rnd([2, 17, 19, 8], 10) as tf.Tensor4D, rnd([3, 3, 8, 16], 11) as tf.Tensor4D, 2, 'same'),
  depthwise: () =>
    tf.depthwiseConv2d(
      rnd([2, 15, 15, 8], 12) as tf.Tensor4D,
      rnd([3, 3, 8, 1], 13) as tf.Tensor4D,
      1,
      'same',
    ),
  maxPool: () => tf.maxPool(rnd([2, 16, 16, 8], 14) as tf.Tensor4D, 3, 2, 'same'),
  convGrads: () => {
    const x = rnd([2, 12, 12, 4], 15) as tf.Tensor4D;
    const f = rnd([3, 3, 4, 6], 16) as tf.Tensor4D;
    const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))),
    )([x, f]);
    return tf.concat([tf.reshape(dx!, [-1]), tf.reshape(df!, [-1])]);
  },
};
const outputs: Record<string, string> = {};
for (const [name, run] of Object.entries(cases)) {
  const y = tf.tidy(run);
  outputs[name] = Buffer.from((y.dataSync() as Float32Array).buffer).toString('base64');
  y.dispose();
}
console.log(JSON.stringify({ threads: info.threads, outputs }));
