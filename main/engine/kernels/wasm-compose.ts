import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-views';

/** A wasm backend that can also read its heap as floats. */
export interface WasmHeapBackend extends WasmBackendLike {
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/**
 * Runs registered wasm kernels one after another inside ONE engine kernel call: the same kernel
 * functions (so the same arithmetic, bit for bit) that the tf ops would dispatch, without the
 * engine's per-call bookkeeping, tape or scope. Intermediates are freed by `dispose()`; what a
 * kernel returns is marked with `keep()`.
 */
export class WasmComposer {
  private readonly temps: TensorInfo[] = [];
  private readonly kept = new Set<object>();

  constructor(readonly backend: WasmHeapBackend) {}

  /** The wasm kernel `name` on `inputs`; its output is freed by dispose() unless kept. */
  run(name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
    const k = tf.getKernel(name, 'wasm');
    if (!k) throw new Error(`wasm kernel ${name} is not registered`);
    const out = k.kernelFunc({ inputs, backend: this.backend as never, attrs }) as TensorInfo;
    this.temps.push(out);
    return out;
  }

  /** A float32 scalar, as tf.mul(x, c) makes for a number c. */
  scalar(v: number): TensorInfo {
    const t = this.backend.makeOutput([], 'float32');
    this.backend.typedArrayFromHeap(t)[0] = v;
    this.temps.push(t);
    return t;
  }

  /** A new output tensor (not freed by dispose unless it is a temporary). */
  output(shape: number[], temp = false): TensorInfo {
    const t = this.backend.makeOutput(shape, 'float32');
    if (temp) this.temps.push(t);
    return t;
  }

  /** `t` under another shape of the same size (a view: shares the data, never freed on its own). */
  static view(t: TensorInfo, shape: number[]): TensorInfo {
    return { dataId: t.dataId, shape, dtype: t.dtype };
  }

  /** Marks `t` as a result: dispose() leaves its data. */
  keep(t: TensorInfo): TensorInfo {
    this.kept.add(t.dataId);
    return t;
  }

  /** Drops this composer's reference to every intermediate that is not kept. */
  dispose(): void {
    for (const t of this.temps) if (!this.kept.has(t.dataId)) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}
