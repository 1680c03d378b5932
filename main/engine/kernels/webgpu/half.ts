import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { HalfMode } from './matmul-program';
import { groupsFor, runGpuProgram, sizeOf, type WebGpuLike, WG } from './program';

/**
 * f16 copies of f32 tensors for the f16 matrix products (BIOMED_WEBGPU_PRECISION=f16): n values
 * become ceil(n / 2) int32 words, element 2i in the low 16 bits, 2i + 1 in the high ones (the
 * layout of an array<f16> in memory, so the same words serve both the packed path, which unpacks
 * them with WGSL's core unpack2x16float, and the native one, which reads them as vec2<f16>).
 * Rounding is to nearest even (pack2x16float); a magnitude at or beyond 65,520 becomes +-Inf and a
 * NaN stays NaN, so an overflow reaches the loss scaler (train/loss-scale.ts) as a non-finite
 * gradient instead of an indeterminate value.
 */

const HALF_BITS = `
fn biomedHalfBits(v : f32) -> u32 {
  if ((bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u) { return 0x7e00u; }
  if (abs(v) >= 65520.0) { return select(0x7c00u, 0xfc00u, v < 0.0); }
  return pack2x16float(vec2<f32>(clamp(v, -65504.0, 65504.0), 0.0)) & 0xffffu;
}`;

/** x (float32, any shape) -> int32 [ceil(n / 2)] of packed halves. One dispatch. */
export function toHalves(backend: WebGpuLike, x: TensorInfo): TensorInfo {
  const n = sizeOf(x);
  const words = Math.ceil(n / 2);
  return runGpuProgram(
    backend,
    {
      key: 'half_pack',
      inputs: ['X'],
      outSize: words,
      workgroups: groupsFor(words),
      workgroup: WG,
      dtype: 'int32',
      uniforms: { n: 'i32', words: 'i32' },
      prelude: HALF_BITS,
      body: `
      if (index < uniforms.words) {
        let i = index * 2;
        let lo = biomedHalfBits(X[i]);
        let hi = select(0u, biomedHalfBits(X[min(i + 1, uniforms.n - 1)]), i + 1 < uniforms.n);
        result[index] = bitcast<i32>(lo | (hi << 16u));
      }`,
    },
    [x],
    [n, words],
    [words],
  );
}

/** 'native' where the device has shader-f16 (f16 in shaders), else 'packed'. */
export function halfMode(backend: WebGpuLike): HalfMode {
  const device = (backend as { device?: { features?: { has(f: string): boolean } } }).device;
  return device?.features?.has('shader-f16') ? 'native' : 'packed';
}
