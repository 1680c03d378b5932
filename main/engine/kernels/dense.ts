import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { hasEngineKernel, registerOnce } from './own-kernels';
import { WasmComposer, type WasmHeapBackend } from './wasm-compose';

/**
 * `x W^T + b` for x of any rank [..., in] in ONE kernel call each way, on wasm. The composed form
 * (model/ops.ts linear) costs about 12 calls per linear layer and step: reshape to [n, in],
 * matMul, add, reshape back, and in the backward pass both reshape gradients, the add's
 * unbroadcast (sum, two reshapes) and two matMuls. DENSE runs the same wasm kernels (BatchMatMul
 * with transposeB, Add) on views of x and its output, and DENSE_GRAD the kernels of tfjs' own
 * gradients (dx = dy W, dW = dy^T x: BatchMatMul; db = Sum over rows), so values and gradients
 * are bit-identical to the composed form (dense.test.ts). The gradient is registered (no
 * customGrad scope) and keeps x and W, as matMul + addLean do.
 *
 * Not webgpu's LINEAR (kernels/linear.ts: 2-D, inference epilogues): where DENSE is not
 * registered `dense` returns undefined and the model composes the ops as before.
 */
export const DENSE = 'BiomedDense';
export const DENSE_GRAD = 'BiomedDenseGrad';

const size = (shape: readonly number[]) => shape.reduce((p, s) => p * s, 1);

interface Args {
  inputs: Record<string, TensorInfo | undefined>;
  backend: WasmHeapBackend;
  attrs?: NamedAttrMap;
}

/** x [..., in], w [out, in], bias [out] (optional) -> [..., out]. */
function wasmDense({ inputs, backend }: Args): TensorInfo {
  const { x, w, bias } = inputs;
  if (!x || !w) throw new Error(`${DENSE} needs inputs x and w`);
  const [out, inp] = w.shape as [number, number];
  if (x.shape.at(-1) !== inp) throw new Error(`${DENSE}: x ${x.shape} does not end in w's ${inp} inputs`);
  const c = new WasmComposer(backend);
  try {
    const x2 = WasmComposer.view(x, [size(x.shape) / inp, inp]); // [n, in]
    let y = c.run(tf.BatchMatMul, { a: x2, b: w }, { transposeA: false, transposeB: true }); // [n, out]
    if (bias) y = c.run(tf.Add, { a: y, b: bias }); // [n, out]
    return WasmComposer.view(c.keep(y), [...x.shape.slice(0, -1), out]);
  } finally {
    c.dispose();
  }
}

/** dy [..., out], x [..., in], w [out, in] -> [dx [..., in], dW [out, in], db [out] (hasBias)]. */
function wasmDenseGrad({ inputs, backend, attrs }: Args): TensorInfo[] {
  const { dy, x, w } = inputs;
  if (!dy || !x || !w) throw new Error(`${DENSE_GRAD} needs inputs dy, x and w`);
  const [out, inp] = w.shape as [number, number];
  const n = size(x.shape) / inp;
  const c = new WasmComposer(backend);
  try {
    const dy2 = WasmComposer.view(dy, [n, out]);
    const x2 = WasmComposer.view(x, [n, inp]);
    // tfjs' BatchMatMul gradient for transposeB: a: dy b, b: dy^T a
    const dx = c.run(tf.BatchMatMul, { a: dy2, b: w }, { transposeA: false, transposeB: false }); // [n, in]
    const dw = c.run(tf.BatchMatMul, { a: dy2, b: x2 }, { transposeA: true, transposeB: false }); // [out, in]
    const outs = [WasmComposer.view(c.keep(dx), [...x.shape]), c.keep(dw)];
    if (attrs?.['hasBias'] === true)
      outs.push(c.keep(c.run(tf.Sum, { x: dy2 }, { axis: [0], keepDims: false })));
    return outs;
  } finally {
    c.dispose();
  }
}

let gradientRegistered = false;

/** Registers DENSE and DENSE_GRAD for 'wasm' and DENSE's gradient (idempotent). */
export function registerDense(): string[] {
  if (!gradientRegistered) {
    tf.registerGradient({
      kernelName: DENSE,
      inputsToSave: ['x', 'w'],
      gradFunc: (dy, saved, attrs) => {
        const [x, w] = saved as [tf.Tensor, tf.Tensor];
        const hasBias = (attrs as { hasBias?: boolean }).hasBias === true;
        const g = tf
          .engine()
          .runKernel(DENSE_GRAD, { dy: dy as tf.Tensor, x, w }, { hasBias }) as tf.Tensor[];
        return { x: () => g[0]!, w: () => g[1]!, ...(hasBias ? { bias: () => g[2]! } : {}) };
      },
    });
    gradientRegistered = true;
  }
  return [...registerOnce(DENSE, { wasm: wasmDense }), ...registerOnce(DENSE_GRAD, { wasm: wasmDenseGrad })];
}

/**
 * x [..., in] W^T [in, out] + b [out] -> [..., out] in one kernel call (and one for its
 * gradient), or undefined where DENSE is not registered.
 */
export function dense(x: tf.Tensor, w: tf.Tensor, bias?: tf.Tensor): tf.Tensor | undefined {
  if (!hasEngineKernel(DENSE)) return undefined;
  const inputs = { x, w, ...(bias ? { bias } : {}) };
  return tf.engine().runKernel(DENSE, inputs, { hasBias: bias !== undefined }) as tf.Tensor;
}
