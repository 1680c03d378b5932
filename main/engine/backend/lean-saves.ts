import * as tf from '@tensorflow/tfjs-core';
import { LEAN_BACKWARD_TFJS_VERSION } from './lean-backward';

/**
 * Tensors saved for the backward pass without a kernel call each (tfjs-core 4.22).
 *
 * For every op recorded on the tape, tfjs-core's engine keeps a clone of each tensor the op's
 * gradient reads (`saveTensorsForBackwardMode`, and customGrad's save function), and its
 * `clone` runs the Identity kernel. On the backends the engine trains on (cpu, wasm with the
 * engine's Identity, webgpu) Identity only adds a reference to the same memory, so each save is
 * pure dispatch overhead: 1,190 of cpu-s' ~3,900 kernel calls per train step. This `clone`
 * does what those Identity kernels do (a reference count on the data) without dispatching one,
 * and records the same tape node (Identity, gradient: cast to float32), so saved tensors,
 * memory accounting and results are those of the stock clone (lean-saves.test.ts).
 *
 * Elsewhere (strings, a tensor held by another backend, other backends) the stock clone runs.
 */

/** Backends whose Identity kernel shares memory by a reference count (wasm: kernels/wasm-identity). */
const SHARING_BACKENDS = new Set(['cpu', 'wasm', 'webgpu']);

interface BackendLike {
  incRef(dataId: object): void;
}

/** The parts of tfjs-core's Engine this patch uses. */
interface EngineInternals {
  backendName: string;
  backend: BackendLike;
  state: { activeScope: { name: string }; tensorInfo: Map<object, { backend: BackendLike }> };
  clone: ((x: tf.Tensor) => tf.Tensor) & { lean?: true; stock?: (x: tf.Tensor) => tf.Tensor };
  makeTensorFromTensorInfo(
    info: { dataId: object; shape: number[]; dtype: tf.DataType },
    b?: BackendLike,
  ): tf.Tensor;
  addTapeNode(
    kernelName: string,
    inputs: Record<string, tf.Tensor>,
    outputs: tf.Tensor[],
    gradientsFunc: (dy: tf.Tensor) => Record<string, () => tf.Tensor>,
    saved: tf.Tensor[],
    attrs: Record<string, never>,
  ): void;
}

/** Why the patch cannot be installed, or undefined when it can. */
export function leanSavesUnsupportedReason(version = tf.version_core): string | undefined {
  if (version !== LEAN_BACKWARD_TFJS_VERSION) {
    return `kernel-free saves were written for tfjs-core ${LEAN_BACKWARD_TFJS_VERSION}, found ${version}`;
  }
  const e = tf.engine() as unknown as Partial<EngineInternals>;
  for (const m of ['clone', 'makeTensorFromTensorInfo', 'addTapeNode'] as const) {
    if (typeof e[m] !== 'function') return `tfjs engine has no ${m}()`;
  }
  return undefined;
}

function leanClone(engine: EngineInternals, stock: (x: tf.Tensor) => tf.Tensor) {
  return function clone(x: tf.Tensor): tf.Tensor {
    const owner = engine.state.tensorInfo.get(x.dataId)?.backend;
    if (x.dtype === 'string' || owner !== engine.backend || !SHARING_BACKENDS.has(engine.backendName)) {
      return stock.call(engine, x);
    }
    // What the sharing Identity kernels do: one more reference to the same data.
    engine.backend.incRef(x.dataId);
    const y = engine.makeTensorFromTensorInfo({ dataId: x.dataId, shape: [...x.shape], dtype: x.dtype });
    // The node stock clone records (tfjs-core engine.ts clone): Identity, gradient = cast to float32.
    const grad = (dy: tf.Tensor) => ({ x: () => tf.cast(dy, 'float32') });
    engine.addTapeNode(engine.state.activeScope.name, { x }, [y], grad, [], {});
    return y;
  };
}

/** Installs the kernel-free save (once; idempotent). Returns why it was not, or undefined when it is. */
export function installLeanSaves(): string | undefined {
  const why = leanSavesUnsupportedReason();
  if (why) return why;
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.clone.lean) return undefined;
  const stock = engine.clone;
  engine.clone = Object.assign(leanClone(engine, stock), { lean: true as const, stock });
  return undefined;
}

/** Restores tfjs' own clone (tests compare the two). */
export function uninstallLeanSaves(): void {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.clone.lean && engine.clone.stock) engine.clone = engine.clone.stock;
}
