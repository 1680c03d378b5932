import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The WebAssembly BatchMatMul / _FusedMatMul kernels only reach XNNPACK's fast path when neither
 * input is transposed; with transposeA or transposeB they fall back to a scalar triple loop that
 * is 10-60x slower (FINDINGS.md). The backward pass of every dense layer uses exactly those flags.
 * These wrappers transpose the flagged input physically (wasm Transpose kernel) and then call the
 * stock kernel without flags. The result is bit-identical in practice: the same products summed
 * in the same order by XNNPACK, or by the scalar loop for batched inputs.
 */

type WasmBackendLike = { disposeData(dataId: object): boolean };

interface MatMulArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: WasmBackendLike;
  attrs?: NamedAttrMap;
}

const stockConfigs = new Map<string, KernelConfig>();

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

function physicalTranspose(x: TensorInfo, backend: WasmBackendLike): TensorInfo {
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!transpose) throw new Error('wasm Transpose kernel is not registered');
  const perm = swapLastTwo(x.shape.length);
  return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } } as never) as TensorInfo;
}

function wrap(stock: KernelConfig): KernelFunc {
  const stockFunc = stock.kernelFunc;
  return ((args: MatMulArgs) => {
    const attrs = args.attrs ?? {};
    const transposeA = attrs['transposeA'] === true;
    const transposeB = attrs['transposeB'] === true;
    if (!transposeA && !transposeB) return stockFunc(args as never);
    const { a, b } = args.inputs;
    if (!a || !b) throw new Error('matMul needs inputs a and b');
    const temps: TensorInfo[] = [];
    const aa = transposeA ? physicalTranspose(a, args.backend) : a; // [..., M, K]
    const bb = transposeB ? physicalTranspose(b, args.backend) : b; // [..., K, N]
    if (aa !== a) temps.push(aa);
    if (bb !== b) temps.push(bb);
    try {
      return stockFunc({
        ...args,
        inputs: { ...args.inputs, a: aa, b: bb },
        attrs: { ...attrs, transposeA: false, transposeB: false },
      } as never);
    } finally {
      for (const t of temps) args.backend.disposeData(t.dataId);
    }
  }) as KernelFunc;
}

/** The stock wasm kernel for `kernelName`, as it was before any re-registration. */
export function stockWasmKernel(kernelName: string): KernelConfig | undefined {
  return stockConfigs.get(kernelName) ?? tf.getKernel(kernelName, 'wasm');
}

/** Re-registers BatchMatMul and _FusedMatMul (or the named kernels) for 'wasm' with the transpose-first wrapper. */
export function registerWasmTransposeFirst(
  kernelNames: readonly string[] = [tf.BatchMatMul, tf._FusedMatMul],
): string[] {
  const patched: string[] = [];
  for (const kernelName of kernelNames) {
    const stock = stockWasmKernel(kernelName);
    if (!stock) continue;
    if (!stockConfigs.has(kernelName)) stockConfigs.set(kernelName, stock);
    tf.unregisterKernel(kernelName, 'wasm');
    const patchedConfig: KernelConfig = {
      kernelName,
      backendName: 'wasm',
      kernelFunc: wrap(stock),
      // The stock setup binds the C function; keep it so a later backend init still runs it.
      ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}),
    };
    tf.registerKernel(patchedConfig);
    patched.push(`${kernelName}:transpose-first`);
  }
  return patched;
}

/** Replaces the wasm kernel `config.kernelName` with `config`, remembering the stock one. */
export function replaceWasmKernel(config: KernelConfig): void {
  const stock = stockWasmKernel(config.kernelName);
  if (stock && !stockConfigs.has(config.kernelName)) stockConfigs.set(config.kernelName, stock);
  if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel(config);
}

/** Puts the stock kernels back (for benchmarks comparing stock and patched). */
export function restoreStockWasmMatMul(): void {
  for (const [kernelName, stock] of stockConfigs) {
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel(stock);
  }
}
