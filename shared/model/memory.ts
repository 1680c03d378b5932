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
  /**
   * Where it runs: 'native' (libtensorflow / CUDA, default) or a TensorFlow.js JavaScript /
   * WebAssembly backend, whose kept intermediates and never-shrinking heap need far more room.
   */
  readonly runtime?: 'native' | 'wasm' | 'js';
}

/** WebAssembly (wasm32) heap ceiling: no WebAssembly run can use more, whatever the machine has. */
export const WASM_HEAP_LIMIT_BYTES = 4 * 2 ** 30;

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
/**
 * Multipliers on the counted activations. 'native': allocator slack and transient copies.
 * 'wasm'/'js': measured peak WebAssembly heap over the counted activations was 6-7x for
 * cpu-s and cpu-m at batch 8 (every op output kept for the backward pass, im2col buffers of the
 * convolution gradients, heap fragmentation).
 */
const OVERHEAD = { native: 1.5, wasm: 7, js: 7 } as const;
/** Heap a TensorFlow.js process holds before any model (runtime, kernels, tokenizer). */
const BASELINE_BYTES = 64 * 2 ** 20;

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

/** Floats per example kept for backward by the layers (encoder, decoder, ResNet), logits aside. */
function layerFloats(c: ModelConfig, w: MemoryWorkload): number {
  const image = w.withImage ?? true;
  const s = w.sourceLength + (image ? patchGrid(c) ** 2 : 0);
  const t = w.targetLength;
  const { dModel: d, ffn: f, heads: h } = c;
  const enc = c.encLayers * (s * (12 * d + 3 * f) + 3 * h * s * s);
  const dec = c.decLayers * (t * (18 * d + 3 * f) + 3 * h * (t * t + t * s));
  return enc + dec + (image ? resnetActivationFloats(c) : 0);
}

/**
 * A rough upper estimate of the memory one training step (or one inference batch) needs:
 * runtime baseline, parameters, gradients, Adam state, and the activations kept for the backward
 * pass. Checked on the WebAssembly backend at batch 8: peak heap 84 / 432 / 1,798 MiB for
 * cpu-xs / cpu-s / cpu-m (VQA-RAD, ~14 source / 4 target tokens) against estimates (runtime
 * 'wasm') of 137 / 483 / 2,140 MiB.
 * Meant to refuse configurations that cannot fit a device, not to predict usage to the byte.
 */
export function estimateMemory(c: ModelConfig, w: MemoryWorkload): MemoryEstimate {
  const params = parameterCount(c);
  const paramBytes = params * F32;
  const gradBytes = w.training ? paramBytes : 0;
  const optimizerBytes = w.training ? 2 * paramBytes : 0;
  const perExample = layerFloats(c, w) + 3 * w.targetLength * c.vocabSize; // + logits, softmax, dlogits
  const keep = w.training ? 1 : 0.25; // inference frees activations layer by layer
  const activationBytes = perExample * w.batchSize * F32 * keep * OVERHEAD[w.runtime ?? 'native'];
  const totalBytes = BASELINE_BYTES + paramBytes + gradBytes + optimizerBytes + activationBytes;
  return { paramBytes, gradBytes, optimizerBytes, activationBytes, totalBytes };
}

/**
 * True when the estimate fits within `availableBytes` (keeping 10% headroom); pass
 * min(free memory, WASM_HEAP_LIMIT_BYTES) for WebAssembly runs.
 */
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

/** Peak GPU memory of one WebGPU train step, by what the engine's kernels allocate (fp32). */
export interface GpuStepEstimate {
  readonly paramBytes: number;
  /** Adam first and second moments. */
  readonly optimizerBytes: number;
  readonly gradBytes: number;
  /** Kept for the backward pass: layer activations, attention scores, the loss's softmax. */
  readonly activationBytes: number;
  /** One chunk of logits and one of their gradient, live at once in the loss. */
  readonly logitsChunkBytes: number;
  /** AdamW over the set: a chunk gathered into 4 flat buffers, its 3-part output, the scattered copies. */
  readonly updateBytes: number;
  /** params + moments + gradients + the larger of (activations + logits chunks) and the update. */
  readonly peakBytes: number;
}

/** Elements per AdamW chunk on webgpu (kernels/webgpu/adamw-many.ts: 16 Mi). */
const ADAM_CHUNK_ELEMS = 16 * 2 ** 20;

/**
 * Peak GPU bytes of one WebGPU train step. Measured on SwiftShader (tfjs' buffer manager, bytes
 * in use): at tiny widths the AdamW update is the peak (gradients + 4 gathered + 3 output + 3
 * scattered buffers of a chunk); at real widths the activations are. The loss runs in chunks of
 * at most `bindingBytes` of logits (train/loss.ts outputLoss), keeping the softmax of every chunk.
 */
export function estimateGpuStep(c: ModelConfig, w: MemoryWorkload, bindingBytes: number): GpuStepEstimate {
  const params = parameterCount(c);
  const paramBytes = params * F32;
  const optimizerBytes = 2 * paramBytes;
  const gradBytes = paramBytes;
  const t = w.targetLength;
  const perExample = layerFloats(c, w) + t * c.vocabSize; // + the softmax the loss keeps
  const activationBytes = perExample * w.batchSize * F32 * OVERHEAD.native;
  const logitsChunkBytes = 2 * Math.min(w.batchSize * t * c.vocabSize * F32, bindingBytes);
  const updateBytes = 10 * Math.min(params, ADAM_CHUNK_ELEMS) * F32;
  const work = Math.max(activationBytes + logitsChunkBytes, updateBytes);
  const peakBytes = paramBytes + optimizerBytes + gradBytes + work;
  return { paramBytes, optimizerBytes, gradBytes, activationBytes, logitsChunkBytes, updateBytes, peakBytes };
}
