import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '#main/engine/backend/types';
import { registerWebgpuKernels } from '#main/engine/kernels/webgpu/register';
import { registerFusedAdamW } from './adamw-fused';
import { registerAdamWMany } from './adamw-many';
import { registerBatchNorm } from './batch-norm';
import { registerBatchNormRunning } from './batch-norm-running';
import { cpuGemmLabel } from './cpu-gemm';
import { registerDense } from './dense';
import { registerLabelSmoothedCE } from './label-smoothed-ce';
import { registerLayerNorm } from './layer-norm';
import { registerResidualLayerNorm } from './residual-layer-norm';
import { registerSumSquares } from './sum-squares';
import { registerWasmAttentionProbs } from './wasm-attention-probs';
import { wasmBatchMatMulConfig } from './wasm-batch-mat-mul';
import { wasmConcatConfig, wasmSplitVConfig } from './wasm-concat-split';
import { wasmConv2DBackpropFilterConfig, wasmConv2DBackpropInputConfig } from './wasm-conv-backprop';
import { wasmConv2DConfig } from './wasm-conv2d';
import { wasmGatherConfig } from './wasm-gather';
import { registerWasmGelu } from './wasm-gelu';
import { wasmIdentityConfig } from './wasm-identity';
import { wasmMaxPoolGradConfig } from './wasm-max-pool-grad';
import { wasmOps } from './wasm-ops';
import { wasmSliceConfig } from './wasm-slice';
import { wasmMeanConfig, wasmSumConfig } from './wasm-sum';
import { wasmTransposeConfig } from './wasm-transpose';
import { registerWasmTransposeFirst, replaceWasmKernel, stockWasmKernel } from './wasm-transpose-first';
import type { WasmBackendLike } from './wasm-views';

const done = new Map<string, string[]>();

/**
 * Registers the engine's faster kernels for the chosen backend, once per process and backend.
 * Returns the names of what was registered, to be recorded with the run.
 */
export function registerCustomKernels(backend: BackendName): string[] {
  const cached = done.get(backend);
  if (cached) return cached;
  const kernels: string[] = [];
  if (backend === 'wasm') {
    kernels.push(...registerWasmTransposeFirst([tf._FusedMatMul]));
    replaceWasmKernel(wasmBatchMatMulConfig);
    kernels.push('BatchMatMul:xnnpack-batched');
    // Its products on the engine's own GEMM (cpu-gemm.ts, BIOMED_CPU_GEMM): native-<isa>x<threads>,
    // else the wasm GEMM (single-threaded build; BIOMED_WASM_GEMM): fma or simd.
    const gemm = cpuGemmLabel(tf.findBackend('wasm') as unknown as WasmBackendLike);
    if (gemm) kernels.push(`BatchMatMul:own-gemm-${gemm}`);
    replaceWasmKernel(wasmSliceConfig(stockWasmKernel(tf.Slice)));
    kernels.push('Slice:collapsed-runs');
    replaceWasmKernel(wasmIdentityConfig(stockWasmKernel(tf.Identity)));
    kernels.push('Identity:shared-memory');
    replaceWasmKernel(wasmConcatConfig(stockWasmKernel(tf.Concat)));
    replaceWasmKernel(wasmSplitVConfig(stockWasmKernel(tf.SplitV)));
    kernels.push('Concat:row-loops', 'SplitV:collapsed-runs');
    replaceWasmKernel(wasmTransposeConfig(stockWasmKernel(tf.Transpose)));
    kernels.push('Transpose:runs-and-tiles');
    replaceWasmKernel(wasmConv2DBackpropFilterConfig);
    replaceWasmKernel(wasmConv2DBackpropInputConfig);
    kernels.push('Conv2DBackpropFilter:im2col-xnnpack', 'Conv2DBackpropInput:xnnpack-col2im');
    // Conv2D forward as native im2col + GEMM where the native GEMM runs (else the stock XNNPACK one).
    replaceWasmKernel(wasmConv2DConfig(stockWasmKernel(tf.Conv2D)));
    if (gemm?.startsWith('native')) kernels.push('Conv2D:native-im2col-gemm');
    replaceWasmKernel(wasmSumConfig(stockWasmKernel(tf.Sum)));
    replaceWasmKernel(wasmMeanConfig(stockWasmKernel(tf.Mean)));
    kernels.push('Sum:leading-rows', 'Mean:leading-rows');
    replaceWasmKernel(wasmGatherConfig(stockWasmKernel(tf.GatherV2)));
    kernels.push('GatherV2:row-copies');
    kernels.push(...registerDense(), ...registerWasmGelu(), ...registerBatchNormRunning());
    kernels.push(...registerWasmAttentionProbs());
    // GELU, AdamW, cross-entropy, LayerNorm, BatchNorm: ops.c's single passes (BIOMED_WASM_OPS)
    replaceWasmKernel(wasmMaxPoolGradConfig(stockWasmKernel(tf.MaxPoolGrad)));
    const ops = wasmOps(tf.findBackend('wasm'));
    kernels.push(ops ? `ops:single-pass-${ops.kind}` : 'ops:composed');
  }
  if (backend === 'wasm' || backend === 'cpu') {
    const fused = [
      ...registerFusedAdamW(),
      ...registerAdamWMany(),
      ...registerSumSquares(),
      ...registerLayerNorm(),
      ...registerResidualLayerNorm(),
      ...registerBatchNorm(),
      ...registerLabelSmoothedCE(),
    ];
    kernels.push(...fused.filter((k) => k.endsWith(`:${backend}`)));
  }
  if (backend === 'webgpu') kernels.push(...registerWebgpuKernels());
  done.set(backend, kernels);
  return kernels;
}
