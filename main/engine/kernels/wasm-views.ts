import type { TensorInfo } from '@tensorflow/tfjs-core';

/** The parts of tfjs' BackendWasm (4.22) this engine's wasm kernels rely on. */
export interface WasmModuleLike {
  cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
  };
  HEAPU8: Uint8Array;
}

export interface WasmBackendLike {
  wasm: WasmModuleLike;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: string): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * Tensor ids that alias a slice of an existing tensor's wasm memory, without copying. The C++
 * side only maps id -> (offset, size); disposing a view id never frees the memory (only the JS
 * side's disposeData does, and views never enter its dataIdMap).
 */
export class WasmViews {
  private readonly ids: number[] = [];

  constructor(private readonly backend: WasmBackendLike) {}

  /** Offset in bytes of a tensor's data on the wasm heap. */
  offsetOf(t: TensorInfo): number {
    return this.backend.dataIdMap.get(t.dataId).memoryOffset;
  }

  /** A new id for floats [start, start + size) of the tensor at `baseOffset`. */
  view(baseOffset: number, start: number, size: number): number {
    // Reserve the id from the backend's own counter so it can never collide with a tensor's.
    const id = this.backend.dataIdNextNumber++;
    this.backend.wasm.tfjs.registerTensor(id, size, baseOffset + start * 4);
    this.ids.push(id);
    return id;
  }

  /** Unregisters every view (also drops XNNPACK operators cached on them). */
  release(): void {
    for (const id of this.ids) this.backend.wasm.tfjs.disposeData(id);
    this.ids.length = 0;
  }
}
