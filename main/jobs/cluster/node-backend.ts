import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendInfo } from '#main/engine/backend/index';

/** What the node offers a GPU worker: the GPUs Slurm allocated, the Vulkan loader and ICDs. */
export interface NodeGpuFacts {
  /** Slurm's or CUDA's list of allocated GPUs (`0,1`), or null when none were allocated. */
  readonly allocated: string | null;
  /** The NVIDIA kernel driver is loaded (`/proc/driver/nvidia/version` or `/dev/nvidia0`). */
  readonly nvidiaDriver: boolean;
  /** Where the Vulkan loader was found (`libvulkan.so.1`), or null. */
  readonly vulkanLoader: string | null;
  /** The folders searched for ICD manifests (or the files VK_ICD_FILENAMES names). */
  readonly icdSearched: readonly string[];
  /** ICD manifests found. */
  readonly icds: readonly string[];
}

/** What `cluster test` reports of the backend the node's worker would choose. */
export interface NodeBackendReport {
  readonly backend: string;
  readonly device: string;
  /** e.g. `webgpu (NVIDIA H100, Vulkan)` or `wasm (no GPU adapter: ...)`. */
  readonly summary: string;
  readonly gpu: NodeGpuFacts;
}

const LOADER_PATHS = [
  '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
  '/usr/lib64/libvulkan.so.1',
  '/usr/lib/libvulkan.so.1',
  '/usr/local/lib/libvulkan.so.1',
];

/** Looks at the node: allocated GPUs, the NVIDIA driver, the Vulkan loader and its ICD manifests. */
export function nodeGpuFacts(env: NodeJS.ProcessEnv = process.env): NodeGpuFacts {
  const allocated =
    env['SLURM_JOB_GPUS'] ||
    env['SLURM_STEP_GPUS'] ||
    env['CUDA_VISIBLE_DEVICES'] ||
    env['SLURM_GPUS_ON_NODE'];
  const named = (env['VK_ICD_FILENAMES'] || env['VK_DRIVER_FILES'] || '').split(':').filter(Boolean);
  const libPaths = (env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean);
  const dataDirs = (env['XDG_DATA_DIRS'] || '/usr/local/share:/usr/share').split(':').filter(Boolean);
  const dirs = [
    ...(env['HOME'] ? [join(env['HOME'], '.local/share/vulkan/icd.d')] : []),
    '/etc/vulkan/icd.d',
    ...dataDirs.map((d) => join(d, 'vulkan/icd.d')),
  ];
  const icds =
    named.length > 0
      ? named.filter((f) => existsSync(f))
      : dirs.flatMap((d) => {
          try {
            return readdirSync(d)
              .filter((n) => n.endsWith('.json'))
              .map((n) => join(d, n));
          } catch {
            return [];
          }
        });
  return {
    allocated: allocated && allocated !== 'NoDevFiles' ? allocated : null,
    nvidiaDriver: existsSync('/proc/driver/nvidia/version') || existsSync('/dev/nvidia0'),
    vulkanLoader:
      [...libPaths.map((p) => join(p, 'libvulkan.so.1')), ...LOADER_PATHS].find((p) => existsSync(p)) ?? null,
    icdSearched: named.length > 0 ? named : [...new Set(dirs)],
    icds,
  };
}

/**
 * One line on the backend a worker chose and, when it is not WebGPU on a GPU, why: the Vulkan
 * loader or the NVIDIA ICD missing, said plainly where Slurm allocated a GPU.
 */
export function describeNodeBackend(info: BackendInfo, gpu: NodeGpuFacts): string {
  if (info.name === 'webgpu' && info.adapter) {
    const a = info.adapter;
    return `webgpu (${a.description || a.device || 'adapter'}, ${[a.vendor, a.architecture].filter(Boolean).join(' ') || 'Vulkan'}${a.software ? ', software' : ''})`;
  }
  if (info.name === 'node-gpu') return 'node-gpu (CUDA through tfjs-node-gpu)';
  const webgpu = info.available.find((p) => p.name === 'webgpu');
  const why: string[] = [];
  if (webgpu && !webgpu.ok) why.push(`no GPU adapter: ${webgpu.reason ?? 'webgpu did not start'}`);
  if (!gpu.vulkanLoader) why.push('libvulkan.so.1 missing (install libvulkan1, the Vulkan loader)');
  const nvidiaIcd = gpu.icds.some((f) => /nvidia/i.test(f));
  if (gpu.allocated !== null && !nvidiaIcd) {
    why.push(
      `Slurm allocated GPU(s) ${gpu.allocated} but no NVIDIA Vulkan ICD (nvidia_icd.json) was found in ${gpu.icdSearched.join(', ')}${gpu.nvidiaDriver ? '' : ' and no NVIDIA driver is loaded'}: WebGPU on an NVIDIA node needs the driver's Vulkan ICD (the driver's Vulkan package, e.g. libnvidia-gl, or VK_ICD_FILENAMES)`,
    );
  }
  if (gpu.allocated !== null) why.push(`${info.name} is used instead`);
  return `${info.name}${why.length > 0 ? ` (${why.join('; ')})` : ''}`;
}
