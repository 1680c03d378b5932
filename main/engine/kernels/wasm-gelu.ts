import type { TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { cpuGemm } from './cpu-gemm';
import { GELU, GELU_GRAD } from './gelu';
import { registerOnce } from './own-kernels';
import { WasmComposer, type WasmHeapBackend } from './wasm-compose';
import { wasmOps } from './wasm-ops';

/**
 * GELU and its gradient as one kernel call each on wasm (the tf-op form in ./gelu.ts is 5 calls
 * forward and 14 backward). By default one pass of wasm-ops/ops.c each way (bw_gelu,
 * bw_gelu_grad: the same formula, with tfjs' erf approximation as the WebGPU kernel uses it, in
 * float32 SIMD: not bit-identical, within float32 rounding), or where the native addon is the CPU
 * GEMM the same operations in AVX2 + FMA on its threads (native/src/gelu.c); under BIOMED_WASM_OPS=composed the same
 * wasm kernels as the tf-op form in the same order (Multiply, Erf, Add; and the gradient's
 * Multiply, Square, Neg, Exp, Add), run inside one call by WasmComposer, bit-identical to it
 * (wasm-gelu.test.ts). */

interface Args {
  inputs: Record<string, TensorInfo | undefined>;
  backend: WasmHeapBackend;
}

/** The native addon's GELU (rowops.h: the same operations, on its threads), where it is the CPU GEMM. */
const nativeGelu = (backend: WasmHeapBackend) => cpuGemm(backend)?.rowOps?.gelu;

/** x / 2 (1 + erf(x / sqrt 2)), as gelu.ts' tf ops compute it. */
function forward({ inputs, backend }: Args): TensorInfo {
  const x = inputs['x'];
  if (!x) throw new Error(`${GELU} needs input x`);
  const ops = wasmOps(backend);
  if (ops) {
    const y = ops.output(x.shape);
    const n = tf.util.sizeFromShape(x.shape);
    const native = nativeGelu(backend);
    if (native) native(ops.at(x), 0, ops.at(y), n);
    else ops.ex.bw_gelu(ops.at(x), ops.at(y), n);
    return y;
  }
  const c = new WasmComposer(backend);
  try {
    const a = c.run(tf.Multiply, { a: x, b: c.scalar(0.5) });
    const e = c.run(tf.Erf, { x: c.run(tf.Multiply, { a: x, b: c.scalar(Math.SQRT1_2) }) });
    const b = c.run(tf.Add, { a: c.scalar(1), b: e });
    return c.keep(c.run(tf.Multiply, { a, b }));
  } finally {
    c.dispose();
  }
}

/** dy * gelu'(x), as gelu.ts' gradient function computes it. */
function backward({ inputs, backend }: Args): TensorInfo {
  const { dy, x } = inputs;
  if (!dy || !x) throw new Error(`${GELU_GRAD} needs inputs dy and x`);
  const ops = wasmOps(backend);
  if (ops) {
    const dx = ops.output(x.shape);
    const n = tf.util.sizeFromShape(x.shape);
    const native = nativeGelu(backend);
    if (native) native(ops.at(x), ops.at(dy), ops.at(dx), n);
    else ops.ex.bw_gelu_grad(ops.at(dy), ops.at(x), ops.at(dx), n);
    return dx;
  }
  const c = new WasmComposer(backend);
  const mul = (a: TensorInfo, b: TensorInfo) => c.run(tf.Multiply, { a, b });
  try {
    const half = c.scalar(0.5);
    const root = c.scalar(Math.SQRT1_2);
    const a = mul(x, half);
    const z = mul(x, root);
    const b = c.run(tf.Add, { a: c.scalar(1), b: c.run(tf.Erf, { x: z }) });
    const da = mul(dy, b);
    const db = mul(dy, a);
    const g = c.run(tf.Exp, { x: c.run(tf.Neg, { x: c.run(tf.Square, { x: z }) }) });
    const dz = mul(db, mul(g, c.scalar(2 / Math.sqrt(Math.PI))));
    return c.keep(c.run(tf.Add, { a: mul(dz, root), b: mul(da, half) }));
  } finally {
    c.dispose();
  }
}

/** Registers GELU and GELU_GRAD for 'wasm' (idempotent). */
export function registerWasmGelu(): string[] {
  return [...registerOnce(GELU, { wasm: forward }), ...registerOnce(GELU_GRAD, { wasm: backward })];
}
