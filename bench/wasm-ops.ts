// CPU time per call of the engine kernels that wasm-ops/ops.c replaces on wasm: the kernel they
// replace (BIOMED_WASM_OPS=composed: the JS array loop, the composed wasm kernels for GELU, the stock MaxPoolGrad, the JS leading-rows Sum)
// against the single pass, each kernel called alone at shapes of the cpu-s train step.
//   npx tsx bench/wasm-ops.ts
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '#main/engine/backend/index';
import { fusedAdamWMany } from '#main/engine/kernels/adamw-many';
import { BATCH_NORM, BATCH_NORM_GRAD } from '#main/engine/kernels/batch-norm';
import { GELU, GELU_GRAD } from '#main/engine/kernels/gelu';
import { LS_CE, LS_CE_GRAD } from '#main/engine/kernels/label-smoothed-ce';
import { LAYER_NORM, LAYER_NORM_GRAD } from '#main/engine/kernels/layer-norm';
import { RESIDUAL_LAYER_NORM, RESIDUAL_LAYER_NORM_GRAD } from '#main/engine/kernels/residual-layer-norm';
import { sumSquaresTensor } from '#main/engine/kernels/sum-squares';
import { setWasmOpsMode } from '#main/engine/kernels/wasm-ops';
import { cpuSAdamWSet } from './adamw-set';
import { cpuMs } from './cpu-ms';

const info = await initBackend({ prefer: 'wasm', strict: true });

const call =
  (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}) =>
  () =>
    tf.dispose(tf.engine().runKernel(name, inputs, attrs) as unknown as tf.Tensor[]);
const outs = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}) =>
  tf.engine().runKernel(name, inputs, attrs) as unknown as tf.Tensor[];
const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

type Case = { kernel: string; label: string; run: () => void };
const cases: Case[] = [];

// GELU over the FFN activations [8, 68, 512]
{
  const x = rand([8, 68, 512], 1);
  const dy = rand([8, 68, 512], 2);
  cases.push({ kernel: GELU, label: '[8,68,512]', run: call(GELU, { x }) });
  cases.push({ kernel: GELU_GRAD, label: '[8,68,512]', run: call(GELU_GRAD, { dy, x }) });
}
// LayerNorm and residual + LayerNorm over [8, 68, 128]
{
  const x = rand([8, 68, 128], 3);
  const r = rand([8, 68, 128], 4);
  const dy = rand([8, 68, 128], 5);
  const g = tf.ones([128]);
  const b = tf.zeros([128]);
  const [, mean, rstd] = outs(LAYER_NORM, { x, gamma: g, beta: b }, { eps: 1e-5 });
  cases.push({
    kernel: LAYER_NORM,
    label: '[8,68,128]',
    run: call(LAYER_NORM, { x, gamma: g, beta: b }, { eps: 1e-5 }),
  });
  cases.push({
    kernel: LAYER_NORM_GRAD,
    label: '[8,68,128]',
    run: call(LAYER_NORM_GRAD, { dy, x, mean: mean!, rstd: rstd!, gamma: g }),
  });
  const [s, , stats] = outs(RESIDUAL_LAYER_NORM, { x, r, gamma: g, beta: b }, { eps: 1e-5 });
  cases.push({
    kernel: RESIDUAL_LAYER_NORM,
    label: '[8,68,128]',
    run: call(RESIDUAL_LAYER_NORM, { x, r, gamma: g, beta: b }, { eps: 1e-5 }),
  });
  cases.push({
    kernel: RESIDUAL_LAYER_NORM_GRAD,
    label: '[8,68,128]',
    run: call(RESIDUAL_LAYER_NORM_GRAD, { ds: r, dy, s: s!, stats: stats!, gamma: g }),
  });
}
// BatchNorm on the ResNet's first stage [8, 48, 48, 16] and last [8, 12, 12, 64]
for (const shape of [
  [8, 48, 48, 16],
  [8, 12, 12, 64],
]) {
  const c = shape[3]!;
  const x = rand(shape, 6);
  const dy = rand(shape, 7);
  const g = tf.ones([c]);
  const b = tf.zeros([c]);
  const [, mean, variance] = outs(BATCH_NORM, { x, gamma: g, beta: b }, { eps: 1e-5 });
  const label = JSON.stringify(shape);
  cases.push({ kernel: BATCH_NORM, label, run: call(BATCH_NORM, { x, gamma: g, beta: b }, { eps: 1e-5 }) });
  cases.push({
    kernel: BATCH_NORM_GRAD,
    label,
    run: call(BATCH_NORM_GRAD, { dy, x, mean: mean!, variance: variance!, gamma: g }, { eps: 1e-5 }),
  });
}
// MaxPool's gradient at the ResNet stem: x [8, 48, 48, 16] after a ReLU, 3x3 stride 2 pad 1
{
  const x = tf.relu(rand([8, 48, 48, 16], 10));
  const dy = rand([8, 24, 24, 16], 11);
  const attrs = { filterSize: 3, strides: 2, pad: 1 } as unknown as tf.NamedAttrMap;
  cases.push({
    kernel: tf.MaxPoolGrad,
    label: 'x [8,48,48,16] 3x3 s2 p1',
    run: call(tf.MaxPoolGrad, { dy, input: x }, attrs),
  });
}
// A bias gradient: Sum of [8 * 68, 512] over the rows (wasm-sum.ts' leading-rows path)
{
  const x = rand([544, 512], 12);
  cases.push({ kernel: tf.Sum, label: '[544,512] over rows', run: () => tf.sum(x, 0).dispose() });
}
// Label-smoothed cross-entropy over [8 * 32, 4096] (the cpu rungs' vocabulary), eps 0.1
{
  const logits = tf.mul(rand([8, 32, 4096], 8), 3);
  const targets = tf.tidy(() => tf.cast(tf.randomUniform([8, 32], 0, 4096, 'float32', 9), 'int32'));
  const [, p] = outs(LS_CE, { logits, targets }, { eps: 0.1, pad: 1 });
  const dy = tf.ones([256]);
  cases.push({
    kernel: LS_CE,
    label: '[8,32,4096]',
    run: call(LS_CE, { logits, targets }, { eps: 0.1, pad: 1 }),
  });
  cases.push({
    kernel: LS_CE_GRAD,
    label: '[8,32,4096]',
    run: call(LS_CE_GRAD, { dy, p: p!, targets }, { eps: 0.1, pad: 1 }),
  });
}
// AdamW over a set like cpu-s'
{
  const { items, label, scalars } = cpuSAdamWSet();
  cases.push({
    kernel: 'BiomedSumSquares',
    label: label.replace('weights', 'gradients'),
    run: () => sumSquaresTensor(items.map((it) => it.g)).dispose(),
  });
  cases.push({
    kernel: 'BiomedAdamWMany',
    label,
    run: () => tf.dispose(fusedAdamWMany(items, scalars).flat()),
  });
}

console.log(
  `date ${new Date().toISOString()}  load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  `backend ${info.name} (${info.kernels.filter((k) => k.startsWith('ops:'))}); CPU ms per call (median of 15)`,
);
for (const c of cases) {
  setWasmOpsMode('composed');
  const a = cpuMs(c.run);
  setWasmOpsMode('single-pass');
  const b = cpuMs(c.run);
  console.log(
    `${c.kernel.padEnd(28)} ${c.label.padEnd(30)} composed ${a.toFixed(3).padStart(8)}  single-pass ${b.toFixed(3).padStart(8)}  ${(a / b).toFixed(1)}x`,
  );
}
setWasmOpsMode(undefined);
