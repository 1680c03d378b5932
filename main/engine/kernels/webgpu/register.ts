import { registerWebgpuAdamW } from './adamw';
import { registerWebgpuAdamWMany } from './adamw-many';
import { registerWebgpuAttentionProbs } from './attention-probs';
import { registerWebgpuBatchNorm } from './batch-norm';
import { registerWebgpuConv } from './conv';
import { registerWebgpuGelu } from './gelu';
import { registerWebgpuLabelSmoothedCE } from './label-smoothed-ce';
import { registerWebgpuLayerNorm } from './layer-norm';
import { registerWebgpuMatMul } from './matmul';
import { registerWebgpuResidualLayerNorm } from './residual-layer-norm';
import { registerWebgpuSumSquares } from './sum-squares';

/**
 * The engine's fused kernels as WGSL programs for tfjs' webgpu backend, registered under the
 * same kernel names as their wasm/cpu twins, so the engine's wrappers (layerNorm, batchNormTrain,
 * labelSmoothedCE, fusedAdamW, sumSquares; fusedAdamWMany is webgpu only) take the same path on every backend.
 */
export function registerWebgpuKernels(): string[] {
  return [
    ...registerWebgpuAdamW(),
    ...registerWebgpuAdamWMany(),
    ...registerWebgpuSumSquares(),
    ...registerWebgpuLayerNorm(),
    ...registerWebgpuResidualLayerNorm(),
    ...registerWebgpuBatchNorm(),
    ...registerWebgpuLabelSmoothedCE(),
    ...registerWebgpuAttentionProbs(),
    ...registerWebgpuMatMul(),
    ...registerWebgpuGelu(),
    ...registerWebgpuConv(),
  ];
}
