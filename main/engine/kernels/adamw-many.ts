import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { type AdamWScalars, adamwArrays, fusedAdamW, roundedScalars } from './adamw-fused';
import { cpuGemm } from './cpu-gemm';
import { hasEngineKernel, registerOnce } from './own-kernels';
import { wasmOps, wasmOpsMode } from './wasm-ops';
import type { WasmBackendLike } from './wasm-views';

/**
 * AdamW over a whole parameter set in one kernel call: on WebGPU (./webgpu/adamw-many.ts) the
 * parameters, gradients and moments are gathered into a few flat chunks by buffer copies and
 * updated with one dispatch per chunk, instead of three dispatches per weight. On wasm and cpu
 * (registered here) one call runs the per-weight fused arithmetic (adamw-fused.ts) over every
 * weight in turn: the same bits as one call per weight, ~275 calls fewer per cpu-s step.
 * Elsewhere it is the per-weight fused update.
 */

export const FUSED_ADAMW_MANY = 'BiomedAdamWMany';

/** One weight of the set. */
export interface AdamWItem {
  readonly p: tf.Tensor;
  readonly g: tf.Tensor;
  /** Undefined on the first update: zeros. */
  readonly m: tf.Tensor | undefined;
  readonly v: tf.Tensor | undefined;
  /** lr * weightDecay for this weight (0: none). */
  readonly decayRate: number;
}

export type AdamWManyScalars = Omit<AdamWScalars, 'decayRate'>;

/** Attributes of the kernel (besides the scalars). */
export interface AdamWManyAttrs extends AdamWManyScalars {
  readonly count: number;
  readonly decayRates: number[];
  /** Elements per chunk at most (0: the kernel's own cap); the tests set a small one. */
  readonly maxChunkElems: number;
}

/** Input names of item i: p{i}, g{i}, m{i}, v{i} (m, v absent on the first update). */
export const itemInput = (kind: 'p' | 'g' | 'm' | 'v', i: number): string => `${kind}${i}`;

/** New [p, m, v] per item, in order (the caller assigns p and keeps m, v). */
export function fusedAdamWMany(
  items: readonly AdamWItem[],
  s: AdamWManyScalars,
  maxChunkElems = 0,
): [tf.Tensor, tf.Tensor, tf.Tensor][] {
  if (items.length > 0 && hasEngineKernel(FUSED_ADAMW_MANY)) {
    const inputs: Record<string, tf.Tensor> = {};
    items.forEach((it, i) => {
      inputs[itemInput('p', i)] = it.p;
      inputs[itemInput('g', i)] = it.g;
      if (it.m) inputs[itemInput('m', i)] = it.m;
      if (it.v) inputs[itemInput('v', i)] = it.v;
    });
    const attrs: AdamWManyAttrs = {
      ...s,
      count: items.length,
      decayRates: items.map((it) => it.decayRate),
      maxChunkElems,
    };
    const outs = tf.engine().runKernel(FUSED_ADAMW_MANY, inputs, { ...attrs }) as unknown as tf.Tensor[];
    return items.map((_, i) => [outs[3 * i]!, outs[3 * i + 1]!, outs[3 * i + 2]!]);
  }
  return items.map((it) => fusedAdamW(it.p, it.g, it.m, it.v, { ...s, decayRate: it.decayRate }));
}

type Read = (t: TensorInfo) => Float32Array;

/** Runs the update of every item; `outs` holds [p, m, v] per item, in order. */
function updateAll(inputs: Record<string, TensorInfo>, a: AdamWManyAttrs, read: Read, outs: Float32Array[]) {
  for (let i = 0; i < a.count; i++) {
    const m = inputs[itemInput('m', i)];
    const v = inputs[itemInput('v', i)];
    adamwArrays(
      read(inputs[itemInput('p', i)]!),
      read(inputs[itemInput('g', i)]!),
      m && read(m),
      v && read(v),
      { ...a, decayRate: a.decayRates[i]! },
      outs[3 * i]!,
      outs[3 * i + 1]!,
      outs[3 * i + 2]!,
    );
  }
}

interface KernelArgs<B> {
  inputs: Record<string, TensorInfo>;
  backend: B;
  attrs?: NamedAttrMap;
}

interface WasmLike extends WasmBackendLike {
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/** Offset in floats of a tensor on the wasm heap (-1: absent). */
function floatsAt(b: WasmBackendLike, t: TensorInfo | undefined): number {
  return t ? b.dataIdMap.get(t.dataId).memoryOffset / 4 : -1;
}

/**
 * The whole set in one call of the native addon (rowops.c, split over its threads by elements):
 * the same bits as bw_adamw and adamwArrays. False where the native GEMM is not the CPU GEMM, or
 * with BIOMED_WASM_OPS=composed.
 */
function nativeUpdate(
  b: WasmLike,
  inputs: Record<string, TensorInfo>,
  a: AdamWManyAttrs,
  outs: TensorInfo[],
) {
  const rowOps = wasmOpsMode() === 'single-pass' ? cpuGemm(b)?.rowOps : undefined;
  if (!rowOps) return false;
  const table = new Float64Array(9 * a.count);
  for (let i = 0; i < a.count; i++) {
    const row = (['p', 'g', 'm', 'v'] as const).map((k) => floatsAt(b, inputs[itemInput(k, i)]));
    for (let k = 0; k < 3; k++) row.push(floatsAt(b, outs[3 * i + k]));
    table.set([...row, tf.util.sizeFromShape(outs[3 * i]!.shape), Math.fround(a.decayRates[i]!)], 9 * i);
  }
  const [b1, c1, b2, c2, eps, , step, scale] = roundedScalars({ ...a, decayRate: 0 });
  rowOps.adamw(table, [b1, c1, b2, c2, eps, step, scale]);
  return true;
}

function wasmKernel({ inputs, backend: b, attrs }: KernelArgs<WasmLike>): TensorInfo[] {
  const a = attrs as unknown as AdamWManyAttrs;
  const outs: TensorInfo[] = [];
  for (let i = 0; i < a.count; i++) {
    const shape = [...inputs[itemInput('p', i)]!.shape];
    for (let k = 0; k < 3; k++) outs.push(b.makeOutput(shape, 'float32'));
  }
  if (nativeUpdate(b, inputs, a, outs)) return outs;
  const ops = wasmOps(b);
  if (ops) {
    // ops.c's bw_adamw: the same double-precision arithmetic as adamwArrays (same bits), in SIMD
    for (let i = 0; i < a.count; i++) {
      const [p, g, m, v] = (['p', 'g', 'm', 'v'] as const).map((k) => ops.at(inputs[itemInput(k, i)]));
      const [op, om, ov] = outs.slice(3 * i, 3 * i + 3).map(ops.at) as [number, number, number];
      const n = tf.util.sizeFromShape(outs[3 * i]!.shape);
      const sc = roundedScalars({ ...a, decayRate: a.decayRates[i]! });
      ops.ex.bw_adamw(p!, g!, m!, v!, op, om, ov, n, ...sc);
    }
    return outs;
  }
  // Heap views only after every allocation (an allocation can replace the heap buffer).
  const read: Read = (t) => b.typedArrayFromHeap(t);
  updateAll(inputs, a, read, outs.map(read));
  return outs;
}

interface CpuLike {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TensorInfo;
}

function cpuKernel({ inputs, backend: b, attrs }: KernelArgs<CpuLike>): TensorInfo[] {
  const a = attrs as unknown as AdamWManyAttrs;
  const read: Read = (t) => b.data.get(t.dataId).values as Float32Array;
  const shapes = Array.from({ length: a.count }, (_, i) => [...inputs[itemInput('p', i)]!.shape]);
  const arrays = shapes.flatMap((s) => [0, 1, 2].map(() => new Float32Array(tf.util.sizeFromShape(s))));
  updateAll(inputs, a, read, arrays);
  return arrays.map((x, j) => b.makeTensorInfo(shapes[Math.floor(j / 3)]!, 'float32', x));
}

/** Registers the whole-set update for 'wasm' and 'cpu' (idempotent). */
export function registerAdamWMany(): string[] {
  return registerOnce(FUSED_ADAMW_MANY, { wasm: wasmKernel, cpu: cpuKernel });
}
