import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { hasEngineKernel, registerOnce } from './own-kernels';
import { WasmComposer, type WasmHeapBackend } from './wasm-compose';
import { wasmOps } from './wasm-ops';

/**
 * BatchNorm's new running statistics after a training batch, in one kernel call on wasm (the tf
 * ops are 6 calls per BatchNorm layer and step; cpu-s has 22 layers):
 *   mean' = runMean (1 - m) + mean m,   var' = runVar (1 - m) + variance n / (n - 1) m
 * (PyTorch keeps the unbiased variance). The wasm kernel runs the same Multiply and Add kernels
 * as the tf ops inside one call (WasmComposer; BIOMED_WASM_OPS=composed), or by default ops.c's loop
 * of the same float32 operations in the same order: bit-identical either way
 * (batch-norm-running.test.ts). Not differentiated: the statistics are outside the loss.
 */
export const BN_RUNNING = 'BiomedBatchNormRunning';

export interface RunningStats {
  readonly mean: tf.Tensor;
  readonly variance: tf.Tensor;
}

interface Attrs {
  /** Values per channel in the batch (B H W). */
  readonly count: number;
  readonly momentum: number;
}

/** The tf-op form (and the order of operations the kernel repeats). */
function ops(run: RunningStats, batch: RunningStats, a: Attrs): [tf.Tensor, tf.Tensor] {
  const unbiased = tf.mul(batch.variance, a.count / Math.max(a.count - 1, 1)); // [C]
  const mean = tf.add(tf.mul(run.mean, 1 - a.momentum), tf.mul(batch.mean, a.momentum)); // [C]
  const variance = tf.add(tf.mul(run.variance, 1 - a.momentum), tf.mul(unbiased, a.momentum)); // [C]
  return [mean, variance];
}

function wasmKernel(args: {
  inputs: Record<string, TensorInfo>;
  backend: WasmHeapBackend;
  attrs?: NamedAttrMap;
}): TensorInfo[] {
  const { runMean, runVar, mean, variance } = args.inputs as Record<string, TensorInfo>;
  const a = args.attrs as unknown as Attrs;
  const k = a.count / Math.max(a.count - 1, 1);
  const o = wasmOps(args.backend);
  if (o) {
    // scalars pass as f32 parameters: rounded as c.scalar() rounds them
    return o.run(
      [runMean, runVar, mean, variance],
      [mean!.shape, mean!.shape],
      ([rm, rv, bm, bv], [om, ov]) =>
        o.ex.bw_bn_running(
          rm!,
          rv!,
          bm!,
          bv!,
          om!,
          ov!,
          tf.util.sizeFromShape(mean!.shape),
          k,
          1 - a.momentum,
          a.momentum,
        ),
    );
  }
  const c = new WasmComposer(args.backend);
  const mul = (x: TensorInfo, s: number) => c.run(tf.Multiply, { a: x, b: c.scalar(s) });
  try {
    const unbiased = mul(variance!, k);
    const m = c.run(tf.Add, { a: mul(runMean!, 1 - a.momentum), b: mul(mean!, a.momentum) });
    const v = c.run(tf.Add, { a: mul(runVar!, 1 - a.momentum), b: mul(unbiased, a.momentum) });
    return [c.keep(m), c.keep(v)];
  } finally {
    c.dispose();
  }
}

/** Registers the kernel for 'wasm' (idempotent). */
export function registerBatchNormRunning(): string[] {
  return registerOnce(BN_RUNNING, { wasm: wasmKernel });
}

/** New [running mean, running variance] ([C] each) from the batch's mean and biased variance. */
export function runningStats(run: RunningStats, batch: RunningStats, a: Attrs): [tf.Tensor, tf.Tensor] {
  if (!hasEngineKernel(BN_RUNNING)) return ops(run, batch, a);
  const inputs = { runMean: run.mean, runVar: run.variance, mean: batch.mean, variance: batch.variance };
  return tf.engine().runKernel(BN_RUNNING, inputs, { ...a }) as unknown as [tf.Tensor, tf.Tensor];
}

/** The tf-op form, for the tests. */
export const runningStatsOps = ops;
