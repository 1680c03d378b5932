/// <reference types="@webgpu/types" />
import * as tf from '@tensorflow/tfjs-core';
import { halfMatMuls } from '#main/engine/kernels/own-kernels';
import type { GpuAdapterInfo } from './types';
import { instrumentWebgpuBackend } from './webgpu-counters';

/**
 * The WebGPU backend: Dawn for Node (`webgpu` package) under plain Node, the runtime's own
 * `navigator.gpu` where there is one (Electron's renderer, a browser). The device is created with
 * the adapter's largest buffer and binding sizes: the defaults (256 and 128 MiB) are below the
 * Base embedding (59,457 x 768 fp32 = 183 MB).
 */

/** Raised when an adapter was found but is not used: it carries what the adapter said. */
export class AdapterRefusedError extends Error {
  override readonly name = 'AdapterRefusedError';
  constructor(
    message: string,
    readonly adapter: GpuAdapterInfo,
  ) {
    super(message);
  }
}

interface Gpu {
  requestAdapter(opts?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GPUAdapter | null>;
}

let gpuPromise: Promise<Gpu> | undefined;

async function loadGpu(): Promise<Gpu> {
  const nav = (globalThis as { navigator?: { gpu?: Gpu } }).navigator;
  if (nav?.gpu) return nav.gpu;
  let mod: { create(flags: string[]): Gpu; globals: Record<string, unknown> };
  try {
    mod = (await import('webgpu')) as unknown as typeof mod;
  } catch (err) {
    throw new Error(
      `webgpu (Dawn for Node) not loadable: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  // tfjs-backend-webgpu reads GPUBufferUsage, GPUMapMode, ... and navigator.gpu from the global object.
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create(dawnFlags());
  const g = globalThis as unknown as { navigator?: Record<string, unknown> };
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else g.navigator = { gpu };
  return gpu;
}

/**
 * Dawn's instance flags. On NVIDIA, Dawn offers `shader-f16` only with the toggle
 * vulkan_enable_f16_on_nvidia; it is turned on only when the process asks for f16
 * (BIOMED_WEBGPU_PRECISION=f16 when the GPU is first loaded), so f32 runs never depend on it.
 */
function dawnFlags(): string[] {
  const f16 = (process.env['BIOMED_WEBGPU_PRECISION'] ?? '').trim().toLowerCase() === 'f16';
  return f16 ? ['enable-dawn-features=vulkan_enable_f16_on_nvidia'] : [];
}

/** Where a shader asks for f16 (kernels/webgpu/half.ts): `enable f16;` must open the module. */
export const ENABLE_F16_MARKER = '// biomed: enable f16';

/**
 * tfjs assembles each shader from its own header and the program's code, so a program cannot put
 * the `enable f16;` directive first itself: the device prepends it to the shaders that carry
 * {@link ENABLE_F16_MARKER}.
 */
function enableF16Directive(device: GPUDevice): void {
  const create = device.createShaderModule.bind(device);
  device.createShaderModule = (d: GPUShaderModuleDescriptor) =>
    create(d.code.includes(ENABLE_F16_MARKER) ? { ...d, code: `enable f16;\n${d.code}` } : d);
}

function gpu(): Promise<Gpu> {
  gpuPromise ??= loadGpu();
  gpuPromise.catch(() => {
    gpuPromise = undefined;
  });
  return gpuPromise;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render/i;

/** Describes an adapter: vendor, architecture, description, whether it is software, limits. */
export function describeAdapter(adapter: GPUAdapter): GpuAdapterInfo {
  const info = (adapter as { info?: GPUAdapterInfo & { isFallbackAdapter?: boolean } }).info;
  const vendor = info?.vendor ?? '';
  const architecture = info?.architecture ?? '';
  const device = info?.device ?? '';
  const description = info?.description ?? '';
  const fallback =
    info?.isFallbackAdapter === true ||
    (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  const l = adapter.limits;
  return {
    vendor,
    architecture,
    device,
    description,
    software: fallback || SOFTWARE.test(`${vendor} ${architecture} ${device} ${description}`),
    limits: {
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  };
}

/** The adapter WebGPU offers here (high-performance preference), or a readable reason why none. */
export async function findAdapter(): Promise<{ adapter: GPUAdapter; info: GpuAdapterInfo }> {
  const adapter = await (await gpu()).requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new Error(
      'no WebGPU adapter found (no Vulkan/Metal/D3D12 driver visible; on Linux check libvulkan1 and VK_ICD_FILENAMES)',
    );
  }
  return { adapter, info: describeAdapter(adapter) };
}

let active: { info: GpuAdapterInfo; device: GPUDevice } | undefined;

async function register(adapter: GPUAdapter, info: GpuAdapterInfo): Promise<void> {
  const l = adapter.limits;
  // timestamp queries (bench/gpu's time per kernel class) and f16 in shaders, where offered
  const features = (['timestamp-query', 'shader-f16'] as GPUFeatureName[]).filter((f) =>
    adapter.features.has(f),
  );
  const device = await adapter.requestDevice({
    requiredFeatures: features,
    requiredLimits: {
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  });
  if (device.features.has('shader-f16')) enableF16Directive(device);
  void device.lost.then((why) => {
    if (why.reason !== 'destroyed') console.error(`WebGPU device lost: ${why.message}`);
  });
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  // Importing the package registers its own factory (first adapter, its own limits): use ours.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  const adapterInfo = (adapter as { info?: GPUAdapterInfo }).info;
  tf.registerBackend('webgpu', () => instrumentWebgpuBackend(new WebGPUBackend(device, adapterInfo)), 3);
  active = { info, device };
}

/**
 * Activates tfjs' webgpu backend on this machine's adapter. A software adapter (SwiftShader,
 * llvmpipe) is refused unless `allowSoftware` (BIOMED_BACKEND=webgpu): it is a correctness
 * target, ~100x slower than WebAssembly.
 */
export async function loadWebgpu(allowSoftware: boolean): Promise<GpuAdapterInfo> {
  if (!active) {
    const { adapter, info } = await findAdapter();
    if (info.software && !allowSoftware) {
      throw new AdapterRefusedError(
        `only a software adapter (${info.description || info.architecture}): not chosen automatically; BIOMED_BACKEND=webgpu uses it`,
        info,
      );
    }
    await register(adapter, info);
  } else if (active.info.software && !allowSoftware) {
    throw new AdapterRefusedError(
      `only a software adapter (${active.info.description}): not chosen automatically`,
      active.info,
    );
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend('webgpu');
  } catch (err) {
    throw new Error(`setBackend('webgpu') threw: ${err instanceof Error ? err.message : String(err)}`);
  }
  await tf.ready();
  if (!ok || tf.getBackend() !== 'webgpu')
    throw new Error(`setBackend('webgpu') left tfjs on '${tf.getBackend()}'`);
  return active!.info;
}

/** The adapter in use, once the backend has been activated. */
export function activeAdapter(): GpuAdapterInfo | undefined {
  return active?.info;
}

/**
 * The precision of the matrix products now, as recorded with a run's backend line: 'f32', or
 * 'f16 (native shader-f16)' / 'f16 (packed)' under BIOMED_WEBGPU_PRECISION=f16 (own kernels).
 */
export function webgpuPrecisionLine(): string {
  if (!halfMatMuls()) return 'matmul f32';
  return `matmul f16 ${active?.device.features.has('shader-f16') ? '(native shader-f16)' : '(packed)'}, f32 accumulation, loss scaling`;
}
