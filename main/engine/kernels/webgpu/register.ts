import { registerWebgpuAdamW } from './adamw';
import { registerWebgpuBatchNorm } from './batch-norm';
import { registerWebgpuLabelSmoothedCE } from './label-smoothed-ce';
import { registerWebgpuLayerNorm } from './layer-norm';
import { registerWebgpuMatMul } from './matmul';
import { registerWebgpuSumSquares } from './sum-squares';

/**
 * The engine's fused kernels as WGSL programs for tfjs' webgpu backend, registered under the
 * same kernel names as their wasm/cpu twins, so the engine's wrappers (layerNorm, batchNormTrain,
 * labelSmoothedCE, fusedAdamW, sumSquares) take the same path on every backend.
 */
export function registerWebgpuKernels(): string[] {
  return [
    ...registerWebgpuAdamW(),
    ...registerWebgpuSumSquares(),
    ...registerWebgpuLayerNorm(),
    ...registerWebgpuBatchNorm(),
    ...registerWebgpuLabelSmoothedCE(),
    ...registerWebgpuMatMul(),
  ];
}
