// CPU time per call of each wasm kernel the engine replaces, stock vs engine, at shapes from the
// cpu-s / cpu-m train step and beam decoding; plus the fused LayerNorm against its tf-op form.
//   npx tsx bench/kernels.ts
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '#main/engine/backend/index';
import { batchNormTrain } from '#main/engine/kernels/batch-norm';
import { gelu } from '#main/engine/kernels/gelu';
import { labelSmoothedCE } from '#main/engine/kernels/label-smoothed-ce';
import { layerNorm } from '#main/engine/kernels/layer-norm';
import { stockWasmKernel } from '#main/engine/kernels/wasm-transpose-first';
import { labelSmoothedLoss } from '#main/engine/train/loss';
import { cpuMs } from './cpu-ms';

const info = await initBackend({ prefer: 'wasm', strict: true });

function withKernel(name: string, config: tf.KernelConfig, fn: () => void): number {
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel(config);
  return cpuMs(fn);
}

type Case = { kernel: string; label: string; run: () => void };
const x6 = tf.randomNormal([8, 48, 2, 48, 2, 3]);
const pieces = Array.from({ length: 49 }, (_, i) => tf.randomNormal([8, 48, 48, 3], 0, 1, 'float32', i));
const big = tf.concat(pieces, 3);
const t2 = tf.randomNormal([4608, 64]);
const t4 = tf.randomNormal([8, 68, 4, 32]);
const s4 = tf.randomNormal([8, 12, 12, 512]);
const kv = tf.randomNormal([5, 4, 96, 64]);
const beams = tf.tensor1d([0, 0, 1, 2, 4], 'int32');
const dy = tf.randomNormal([8, 24, 24, 16]) as tf.Tensor4D;
const w3 = tf.randomNormal([3, 3, 16, 16]) as tf.Tensor4D;
const cases: Case[] = [
  {
    kernel: 'Slice',
    label: 'stride-2 view [8,48,2,48,2,3] -> [8,48,1,48,1,3]',
    run: () => tf.slice(x6, [0, 0, 0, 0, 0, 0], [8, 48, 1, 48, 1, 3]).dispose(),
  },
  {
    kernel: 'Concat',
    label: '49 x [8,48,48,3] on axis 3 (7x7 im2col)',
    run: () => tf.concat(pieces, 3).dispose(),
  },
  {
    kernel: 'SplitV',
    label: '[8,48,48,147] into 49 x 3 on axis 3',
    run: () => tf.dispose(tf.split(big, 49, 3)),
  },
  { kernel: 'Transpose', label: '[4608,64] perm [1,0]', run: () => tf.transpose(t2).dispose() },
  {
    kernel: 'Transpose',
    label: '[8,68,4,32] perm [0,2,1,3] (below L2: stock kept)',
    run: () => tf.transpose(t4, [0, 2, 1, 3]).dispose(),
  },
  { kernel: 'Sum', label: '[8,12,12,512] over [0,1,2]', run: () => tf.sum(s4, [0, 1, 2]).dispose() },
  { kernel: 'Mean', label: '[8,12,12,512] over [0,1,2]', run: () => tf.mean(s4, [0, 1, 2]).dispose() },
  { kernel: 'GatherV2', label: 'beam reorder [5,4,96,64] axis 0', run: () => tf.gather(kv, beams).dispose() },
  { kernel: 'Identity', label: 'clone [8,12,12,512]', run: () => tf.clone(s4).dispose() },
  {
    kernel: 'Conv2DBackpropInput',
    label: '3x3 s1 dy [8,24,24,16]',
    run: () => tf.conv2dTranspose(dy, w3, [8, 24, 24, 16], 1, 'same').dispose(),
  },
];

console.log(
  `date ${new Date().toISOString()}  load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(`backend ${info.name}; CPU ms per call (median of 15)`);
for (const c of cases) {
  const engine = tf.getKernel(c.kernel, 'wasm')!;
  const stock = stockWasmKernel(c.kernel)!;
  const a = withKernel(c.kernel, stock, c.run);
  const b = withKernel(c.kernel, engine, c.run);
  console.log(
    `${c.kernel.padEnd(20)} ${c.label.padEnd(52)} stock ${a.toFixed(3).padStart(8)}  engine ${b.toFixed(3).padStart(8)}  ${(a / b).toFixed(1)}x`,
  );
}

// Fused LayerNorm (forward + backward for x, gain, bias) against the tf-op formulation.
for (const d of [128, 512]) {
  const x = tf.randomNormal([544, d]);
  const g = tf.ones([d]);
  const b = tf.zeros([d]);
  const ops = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
    const { mean, variance } = tf.moments(xx, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(xx, mean), tf.rsqrt(tf.add(variance, 1e-5))), gg), bb);
  };
  const time = (f: typeof ops) =>
    cpuMs(() =>
      tf.dispose(
        tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
          tf.tidy(() => tf.sum(f(p, q, r)) as tf.Scalar),
        )([x, g, b]),
      ),
    );
  const a = time(ops);
  const f = time((p, q, r) => layerNorm(p, q, r));
  console.log(
    `${'LayerNorm fwd+bwd'.padEnd(20)} ${`[544,${d}]`.padEnd(52)} tf ops ${a.toFixed(3).padStart(7)}  fused  ${f.toFixed(3).padStart(8)}  ${(a / f).toFixed(1)}x`,
  );
  tf.dispose([x, g, b]);
}

// Fused training BatchNorm (per channel over N*H*W) against the tf-op formulation.
for (const shape of [
  [8, 32, 32, 128],
  [8, 16, 16, 256],
]) {
  const x = tf.randomNormal(shape);
  const g = tf.ones([shape[3]!]);
  const b = tf.zeros([shape[3]!]);
  const ops = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
    const { mean, variance } = tf.moments(xx, [0, 1, 2]);
    return tf.add(tf.mul(tf.mul(tf.sub(xx, mean), tf.rsqrt(tf.add(variance, 1e-5))), gg), bb);
  };
  const time = (f: typeof ops) =>
    cpuMs(() =>
      tf.dispose(
        tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
          tf.tidy(() => tf.sum(f(p, q, r)) as tf.Scalar),
        )([x, g, b]),
      ),
    );
  const a = time(ops);
  const f = time((p, q, r) => batchNormTrain(p, q, r).y);
  console.log(
    `${'BatchNorm fwd+bwd'.padEnd(20)} ${JSON.stringify(shape).padEnd(52)} tf ops ${a.toFixed(3).padStart(7)}  fused  ${f.toFixed(3).padStart(8)}  ${(a / f).toFixed(1)}x`,
  );
  tf.dispose([x, g, b]);
}

// Fused label-smoothed cross-entropy against main/engine/train/loss.ts (eps 0.1, no mask).
for (const [rows, vocab] of [
  [256, 4096],
  [256, 59_457],
]) {
  const z = tf.randomNormal([1, rows!, vocab!]) as tf.Tensor3D;
  const t = tf.tidy(() => tf.cast(tf.randomUniform([1, rows!], 4, vocab!), 'int32')) as tf.Tensor2D;
  const a = cpuMs(() =>
    tf
      .grad((x: tf.Tensor) => tf.tidy(() => labelSmoothedLoss(x as tf.Tensor3D, t, 0.1)))(z)
      .dispose(),
  );
  const f = cpuMs(() =>
    tf
      .grad((x: tf.Tensor) => tf.tidy(() => labelSmoothedCE(x, t, 0.1)!))(z)
      .dispose(),
  );
  console.log(
    `${'LS cross-entropy'.padEnd(20)} ${`[${rows}, ${vocab}] fwd+bwd`.padEnd(52)} tf ops ${a.toFixed(3).padStart(7)}  fused  ${f.toFixed(3).padStart(8)}  ${(a / f).toFixed(1)}x`,
  );
  tf.dispose([z, t]);
}

// GELU that saves only its input (recomputes Phi backward) against the tf-op formulation.
{
  const x = tf.randomNormal([768, 1024]);
  const ops = (t: tf.Tensor) => tf.mul(tf.mul(t, 0.5), tf.add(1, tf.erf(tf.mul(t, Math.SQRT1_2))));
  const time = (f: (t: tf.Tensor) => tf.Tensor) =>
    cpuMs(() =>
      tf
        .grad((t: tf.Tensor) => tf.tidy(() => tf.sum(f(t)) as tf.Scalar))(x)
        .dispose(),
    );
  const a = time(ops);
  const f = time(gelu);
  console.log(
    `${'GELU fwd+bwd'.padEnd(20)} ${'[768,1024] (saves x only)'.padEnd(52)} tf ops ${a.toFixed(3).padStart(7)}  fused  ${f.toFixed(3).padStart(8)}  ${(a / f).toFixed(1)}x`,
  );
  x.dispose();
}
