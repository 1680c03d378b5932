import * as tf from '@tensorflow/tfjs-core';

/**
 * Whether the engine's own WebGPU kernels run (BIOMED_WEBGPU_KERNELS=own, the default) or only
 * tfjs-backend-webgpu's stock kernels and the tf-op forms of the fused kernels (=stock). Read at
 * each call, so a bench can compare both in one process.
 */
export function ownWebgpuKernels(): boolean {
  const v = (process.env['BIOMED_WEBGPU_KERNELS'] ?? 'own').trim().toLowerCase();
  if (v !== 'own' && v !== 'stock') {
    throw new Error(`BIOMED_WEBGPU_KERNELS='${v}' is not one of own, stock`);
  }
  return v === 'own';
}

/** Whether the engine kernel `name` runs on the active backend (registered, and not switched off). */
export function hasEngineKernel(name: string): boolean {
  const backend = tf.getBackend();
  if (!tf.getKernel(name, backend)) return false;
  return backend !== 'webgpu' || ownWebgpuKernels();
}

/**
 * The precision of the own WebGPU matrix products (BIOMED_WEBGPU_PRECISION=f32, the default, or
 * f16: operands rounded to f16 copies, f32 accumulation, f32 outputs; opt-in until measured on a
 * GPU). Read at each call. Only the own kernels have an f16 path: under BIOMED_WEBGPU_KERNELS=stock
 * it is f32 whatever this says.
 */
export type WebgpuPrecision = 'f32' | 'f16';

export function webgpuPrecision(): WebgpuPrecision {
  const v = (process.env['BIOMED_WEBGPU_PRECISION'] ?? 'f32').trim().toLowerCase();
  if (v !== 'f32' && v !== 'f16') {
    throw new Error(`BIOMED_WEBGPU_PRECISION='${v}' is not one of f32, f16`);
  }
  return v;
}

/** Whether the matrix products on the active backend run in f16 now (webgpu, own kernels, f16 set). */
export function halfMatMuls(): boolean {
  return tf.getBackend() === 'webgpu' && ownWebgpuKernels() && webgpuPrecision() === 'f16';
}

/**
 * Registers `kernelName` once per backend with the given function per backend name; returns
 * `name:backend` for each, as recorded with a run.
 */
export function registerOnce(kernelName: string, byBackend: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(byBackend).map(([backendName, fn]) => {
    if (!tf.getKernel(kernelName, backendName)) {
      tf.registerKernel({ kernelName, backendName, kernelFunc: fn as tf.KernelFunc });
    }
    return `${kernelName}:${backendName}`;
  });
}
