import { execFileSync } from 'node:child_process';
import type { ModelConfig } from '#shared/model/config';
import { patchGrid } from '#shared/model/config';
import { estimateGpuStep, type MemoryWorkload } from '#shared/model/memory';
import type { GpuAdapterInfo } from './types';

/** Whether one training (or inference) workload fits a WebGPU adapter, with the figures. */
export interface GpuFit {
  readonly ok: boolean;
  /** Why not, naming the figures (absent when it fits). */
  readonly reason?: string;
  /** The largest single buffer a step allocates, in bytes. */
  readonly largestBufferBytes: number;
  /** What one buffer may hold on this adapter: min(maxBufferSize, maxStorageBufferBindingSize). */
  readonly bufferLimitBytes: number;
  /** Estimated peak GPU memory of the step (shared/model/memory.ts estimateGpuStep). */
  readonly totalBytes: number;
  /** Device memory, when known (WebGPU does not report it: nvidia-smi or BIOMED_GPU_MEMORY_BYTES). */
  readonly deviceBytes?: number;
}

const MIB = 2 ** 20;
const mib = (n: number) => `${Math.round(n / MIB).toLocaleString('en')} MiB`;

/**
 * The largest tensors of a step: the (tied) embedding, attention scores, the FFN hidden layer, the
 * ResNet stem's output. Every one must fit one WebGPU buffer. (The logits are not among them: the
 * loss takes them in chunks of rows that fit the binding, train/loss.ts outputLoss.)
 */
export function largestBuffers(c: ModelConfig, w: MemoryWorkload): { name: string; bytes: number }[] {
  const s = w.sourceLength + ((w.withImage ?? true) ? patchGrid(c) ** 2 : 0);
  const b = w.batchSize;
  return [
    { name: `embedding ${c.vocabSize} x ${c.dModel}`, bytes: c.vocabSize * c.dModel * 4 },
    { name: `attention scores ${b} x ${c.heads} x ${s} x ${s}`, bytes: b * c.heads * s * s * 4 },
    { name: `FFN ${b} x ${s} x ${c.ffn}`, bytes: b * s * c.ffn * 4 },
    {
      name: `ResNet stem ${b} x ${c.imageSize / 2} x ${c.imageSize / 2} x ${c.resnetWidth}`,
      bytes: b * (c.imageSize / 2) ** 2 * c.resnetWidth * 4,
    },
  ];
}

/**
 * Checks a workload against the adapter before anything is allocated: every large tensor must
 * fit one buffer, and the estimated total must fit the device's memory where it is known.
 */
export function gpuFit(c: ModelConfig, w: MemoryWorkload, a: GpuAdapterInfo, deviceBytes?: number): GpuFit {
  const limit = Math.min(a.limits.maxBufferSize, a.limits.maxStorageBufferBindingSize);
  const biggest = largestBuffers(c, w).sort((x, y) => y.bytes - x.bytes)[0]!;
  const totalBytes = estimateGpuStep(c, w, limit).peakBytes;
  const base = {
    largestBufferBytes: biggest.bytes,
    bufferLimitBytes: limit,
    totalBytes,
    ...(deviceBytes ? { deviceBytes } : {}),
  };
  const name = a.description || a.device;
  if (biggest.bytes > limit) {
    return {
      ...base,
      ok: false,
      reason: `${c.name} at batch ${w.batchSize} needs one buffer of ${mib(biggest.bytes)} (${biggest.name}); ${name} allows ${mib(limit)} per buffer`,
    };
  }
  if (deviceBytes && totalBytes > deviceBytes) {
    return {
      ...base,
      ok: false,
      reason: `${c.name} at batch ${w.batchSize} needs about ${mib(totalBytes)} for a training step; ${name} has ${mib(deviceBytes)}`,
    };
  }
  return { ...base, ok: true };
}

/**
 * The GPU's memory in bytes where it can be learned: BIOMED_GPU_MEMORY_BYTES, else nvidia-smi for
 * an NVIDIA adapter (WebGPU itself does not say). Undefined when unknown.
 */
export function gpuDeviceBytes(a: GpuAdapterInfo): number | undefined {
  const env = Number(process.env['BIOMED_GPU_MEMORY_BYTES']);
  if (Number.isFinite(env) && env > 0) return env;
  if (!/nvidia/i.test(`${a.vendor} ${a.description}`)) return undefined;
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=memory.total', '--format=csv,noheader,nounits'], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const mibs = Number(out.split('\n')[0]?.trim());
    return Number.isFinite(mibs) && mibs > 0 ? mibs * MIB : undefined;
  } catch {
    return undefined;
  }
}
