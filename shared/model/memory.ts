import { type ModelConfig, patchGrid } from './config';
import { parameterCount } from './weight-shapes';

/** Shape of the work a memory estimate is made for. */
export interface MemoryWorkload {
  readonly batchSize: number;
  /** Text tokens on the encoder side (image patches are added from the config). */
  readonly sourceLength: number;
  readonly targetLength: number;
  /** Training keeps gradients, Adam moments and activations for the backward pass. */
  readonly training: boolean;
  /** Whether examples carry an image (default true). */
  readonly withImage?: boolean;
}

/** Bytes needed by one model + workload, by component (fp32 everywhere). */
export interface MemoryEstimate {
  readonly paramBytes: number;
  readonly gradBytes: number;
  /** Adam first and second moments. */
  readonly optimizerBytes: number;
  readonly activationBytes: number;
  readonly totalBytes: number;
}

const F32 = 4;
/** Allocator slack and transient copies seen with TensorFlow.js (measured growth ~1.3-1.6x). */
const OVERHEAD = 1.5;

function resnetActivationFloats(c: ModelConfig): number {
  // Each conv output is kept ~4 times (im2col input, conv output, normalised, ReLU).
  const w = c.resnetWidth;
  let floats = 4 * (c.imageSize / 2) ** 2 * w;
  c.resnetBlocks.forEach((blocks, s) => {
    const side = c.imageSize / 2 ** (s + 2);
    const planes = w * 2 ** s;
    floats += 4 * side * side * blocks * planes * 6 + 4 * side * side * planes * 4;
  });
  return floats;
}

/**
 * A rough upper estimate of the memory one training step (or one inference batch) needs:
 * parameters, gradients, Adam state, and the activations kept for the backward pass.
 * Meant to refuse configurations that cannot fit a device, not to predict usage to the byte.
 */
export function estimateMemory(c: ModelConfig, w: MemoryWorkload): MemoryEstimate {
  const params = parameterCount(c);
  const paramBytes = params * F32;
  const gradBytes = w.training ? paramBytes : 0;
  const optimizerBytes = w.training ? 2 * paramBytes : 0;
  const image = w.withImage ?? true;
  const s = w.sourceLength + (image ? patchGrid(c) ** 2 : 0);
  const t = w.targetLength;
  const { dModel: d, ffn: f, heads: h } = c;
  const enc = c.encLayers * (s * (12 * d + 3 * f) + 3 * h * s * s);
  const dec = c.decLayers * (t * (18 * d + 3 * f) + 3 * h * (t * t + t * s));
  const logits = 3 * t * c.vocabSize;
  const perExample = enc + dec + logits + (image ? resnetActivationFloats(c) : 0);
  const keep = w.training ? 1 : 0.25; // inference frees activations layer by layer
  const activationBytes = perExample * w.batchSize * F32 * keep * OVERHEAD;
  const totalBytes = paramBytes + gradBytes + optimizerBytes + activationBytes;
  return { paramBytes, gradBytes, optimizerBytes, activationBytes, totalBytes };
}

/** True when the estimate fits within `availableBytes` (keeping 10% headroom). */
export function fitsDevice(estimate: MemoryEstimate, availableBytes: number): boolean {
  return estimate.totalBytes <= availableBytes * 0.9;
}

/** Memory estimate of every preset for one workload (for the scaling view and job validation). */
export function presetMemoryEstimates(
  presets: Readonly<Record<string, ModelConfig>>,
  workload: MemoryWorkload,
): Readonly<Record<string, MemoryEstimate>> {
  return Object.fromEntries(Object.entries(presets).map(([name, c]) => [name, estimateMemory(c, workload)]));
}
