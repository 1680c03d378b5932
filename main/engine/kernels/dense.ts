import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { cpuGemm, type DenseLayer } from './cpu-gemm';
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
 * Where the native GEMM runs (cpu-gemm.ts), each way is ONE native call instead (native/src/
 * dense.c): the same products (bg_gemm_serial's FMA chains, as BatchMatMul on it), the bias added
 * after the product in float32 as Add does, db summed over rows in order as the wasm Sum does
 * (wasm-sum.ts): the same bits again, at any thread count. The backward pass is one pool job
 * whose parts are whole products (dx on one thread, dW on another) instead of two split products
 * and a Sum.
 *
 * Not webgpu's LINEAR (kernels/linear.ts: 2-D, inference epilogues): where DENSE is not
 * registered `dense` returns undefined and the model composes the ops as before.
 */
export const DENSE = 'BiomedDense';
export const DENSE_GRAD = 'BiomedDenseGrad';

const size = (shape: readonly number[]) => shape.reduce((p, s) => p * s, 1);

/** Byte offsets on the wasm heap (-1: absent). */
const offsets = (backend: WasmHeapBackend) => (t: TensorInfo | undefined) =>
  t ? backend.dataIdMap.get(t.dataId).memoryOffset : -1;

interface Args {
  inputs: Record<string, TensorInfo | undefined>;
  backend: WasmHeapBackend;
  attrs?: NamedAttrMap;
}

let composedOnly = false;

/** Benches: true = the composed kernels even where the native dense layer runs (the before-figure). */
export function setComposedDense(on: boolean): void {
  composedOnly = on;
}

/** The native dense layer where it runs and every operand is non-empty float32 (bias [out]). */
function nativeDense(
  backend: WasmHeapBackend,
  ts: TensorInfo[],
  out: number,
  bias?: TensorInfo,
): DenseLayer | undefined {
  if (composedOnly) return undefined;
  const layer = cpuGemm(backend)?.dense;
  const fits = (t: TensorInfo) => t.dtype === 'float32' && size(t.shape) > 0;
  if (!layer || !ts.every(fits) || (bias && (!fits(bias) || bias.shape.join() !== `${out}`)))
    return undefined;
  return layer;
}

/** x [..., in], w [out, in], bias [out] (optional) -> [..., out]. */
function wasmDense({ inputs, backend }: Args): TensorInfo {
  const { x, w, bias } = inputs;
  if (!x || !w) throw new Error(`${DENSE} needs inputs x and w`);
  const [out, inp] = w.shape as [number, number];
  if (x.shape.at(-1) !== inp) throw new Error(`${DENSE}: x ${x.shape} does not end in w's ${inp} inputs`);
  const layer = nativeDense(backend, [x, w], out, bias);
  if (layer) {
    const y = backend.makeOutput([...x.shape.slice(0, -1), out], 'float32'); // [..., out]
    const at = offsets(backend);
    layer.forward({ x: at(x), w: at(w), bias: at(bias), y: at(y), rows: size(x.shape) / inp, in: inp, out });
    return y;
  }
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
  const hasBias = attrs?.['hasBias'] === true;
  const layer = nativeDense(backend, [dy, x, w], out);
  if (layer) {
    const dx = backend.makeOutput([...x.shape], 'float32'); // [..., in]
    const dw = backend.makeOutput([out, inp], 'float32');
    const db = hasBias ? backend.makeOutput([out], 'float32') : undefined;
    const at = offsets(backend);
    layer.backward({
      dy: at(dy),
      x: at(x),
      w: at(w),
      dx: at(dx),
      dw: at(dw),
      db: at(db),
      rows: n,
      in: inp,
      out,
    });
    return db ? [dx, dw, db] : [dx, dw];
  }
  const c = new WasmComposer(backend);
  try {
    const dy2 = WasmComposer.view(dy, [n, out]);
    const x2 = WasmComposer.view(x, [n, inp]);
    // tfjs' BatchMatMul gradient for transposeB: a: dy b, b: dy^T a
    const dx = c.run(tf.BatchMatMul, { a: dy2, b: w }, { transposeA: false, transposeB: false }); // [n, in]
    const dw = c.run(tf.BatchMatMul, { a: dy2, b: x2 }, { transposeA: true, transposeB: false }); // [out, in]
    const outs = [WasmComposer.view(c.keep(dx), [...x.shape]), c.keep(dw)];
    if (hasBias) outs.push(c.keep(c.run(tf.Sum, { x: dy2 }, { axis: [0], keepDims: false })));
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
