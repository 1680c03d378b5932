import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGpuLike } from './program';

/**
 * Flat device buffers gathered from many tensors with buffer-to-buffer copies (encoder commands,
 * no dispatch, no bind group, no uniform buffer), so one program can treat a whole parameter set
 * as a few arrays. WebGPU binds at most maxStorageBuffersPerShaderStage buffers (8 on SwiftShader)
 * of at most maxStorageBufferBindingSize bytes each, so the set is cut into chunks; a tensor may
 * span two chunks.
 */

/** The backend internals a copy needs (tfjs-backend-webgpu 4.22's WebGPUBackend). */
interface GpuCopyBackend extends WebGpuLike {
  device: { limits: { maxStorageBufferBindingSize: number } };
  tensorMap: { get(dataId: object): { resource: unknown } };
  commandEncoder: {
    copyBufferToBuffer(src: unknown, srcOffset: number, dst: unknown, dstOffset: number, size: number): void;
    clearBuffer(buffer: unknown, offset: number, size: number): void;
  };
  commandQueueOwnedIds: WeakSet<object>;
  uploadToGPU(dataId: object): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

const asCopy = (b: WebGpuLike) => b as unknown as GpuCopyBackend;

/** The GPU buffer behind `t` (uploaded first if its values are still on the CPU). */
function bufferOf(b: GpuCopyBackend, t: TensorInfo): unknown {
  b.uploadToGPU(t.dataId);
  // Disposing it before the queue is submitted must wait for the submit, as for program inputs.
  b.commandQueueOwnedIds.add(t.dataId);
  return b.tensorMap.get(t.dataId).resource;
}

function encoder(b: GpuCopyBackend): GpuCopyBackend['commandEncoder'] {
  b.ensureCommandEncoderReady();
  b.endComputePassEncoder();
  return b.commandEncoder;
}

/** Copies `n` float32 elements of `src` from element `from` into `dst` at element `to`. */
export function copyElements(
  backend: WebGpuLike,
  src: TensorInfo,
  from: number,
  dst: TensorInfo,
  to: number,
  n: number,
) {
  if (n <= 0) return;
  const b = asCopy(backend);
  const s = bufferOf(b, src);
  const d = bufferOf(b, dst);
  encoder(b).copyBufferToBuffer(s, from * 4, d, to * 4, n * 4);
}

/** Zeroes `n` float32 elements of `dst` from element `to`. */
export function clearElements(backend: WebGpuLike, dst: TensorInfo, to: number, n: number) {
  if (n <= 0) return;
  const b = asCopy(backend);
  const d = bufferOf(b, dst);
  encoder(b).clearBuffer(d, to * 4, n * 4);
}

/** Submits what is recorded, so the buffers disposed so far go back to the pool. */
export function submit(backend: WebGpuLike): void {
  const b = asCopy(backend);
  if (!b.commandEncoder) return;
  b.endComputePassEncoder();
  b.submitQueue();
}

/** Whether `t`'s values are still on the host (made there, never uploaded nor computed on the GPU). */
export function onHost(backend: WebGpuLike, t: TensorInfo): boolean {
  const d = asCopy(backend).tensorMap.get(t.dataId) as { values?: unknown; resource: unknown };
  return d.values != null && d.resource == null;
}

/** The adapter's largest storage binding, in bytes. */
export function maxBindingBytes(backend: WebGpuLike): number {
  return asCopy(backend).device.limits.maxStorageBufferBindingSize;
}

/** Elements of one tensor that fall into one chunk. */
export interface Piece {
  /** Index of the tensor in the list. */
  readonly tensor: number;
  /** First element in the tensor. */
  readonly from: number;
  /** First element in the chunk. */
  readonly to: number;
  readonly n: number;
}

export interface Chunk {
  /** Elements in the chunk. */
  readonly size: number;
  readonly pieces: readonly Piece[];
}

/**
 * Lays tensors of `sizes` elements end to end (in `order`) and cuts the line every `maxElems`
 * elements (copies need 4-byte offsets only, so any element boundary will do).
 */
export function chunksOf(sizes: readonly number[], order: readonly number[], maxElems: number): Chunk[] {
  const cap = Math.max(1, Math.floor(maxElems));
  const chunks: Chunk[] = [];
  let pieces: Piece[] = [];
  let used = 0;
  for (const i of order) {
    let from = 0;
    while (from < sizes[i]!) {
      const n = Math.min(sizes[i]! - from, cap - used);
      pieces.push({ tensor: i, from, to: used, n });
      from += n;
      used += n;
      if (used === cap) {
        chunks.push({ size: used, pieces });
        pieces = [];
        used = 0;
      }
    }
  }
  if (used > 0) chunks.push({ size: used, pieces });
  return chunks;
}
