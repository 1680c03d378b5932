import { z } from 'zod';
import { method } from './define';

/** What a WebGPU adapter says about itself (vendor, architecture, limits in bytes). */
export const GpuAdapter = z.object({
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  /** A CPU or software implementation (SwiftShader, llvmpipe): never chosen automatically. */
  software: z.boolean(),
  limits: z.object({
    maxBufferSize: z.number(),
    maxStorageBufferBindingSize: z.number(),
    maxStorageBuffersPerShaderStage: z.number(),
    maxComputeWorkgroupStorageSize: z.number(),
    maxComputeInvocationsPerWorkgroup: z.number(),
  }),
});
export type GpuAdapter = z.infer<typeof GpuAdapter>;

/** A compute backend the engine looked for, and whether it can be used here. */
export const BackendStatus = z.object({
  name: z.string(),
  available: z.boolean(),
  chosen: z.boolean(),
  detail: z.string(),
  /** The WebGPU adapter found (backend 'webgpu'), also when it was not chosen. */
  adapter: GpuAdapter.optional(),
  /** Matmul throughput measured on this backend when it is the chosen one (GFLOP/s). */
  measuredGflops: z.number().optional(),
});
export type BackendStatus = z.infer<typeof BackendStatus>;

/** What Settings and the status bar show about this installation. */
export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  dataFolder: z.string(),
  databaseFile: z.string(),
  schemaVersion: z.number().int(),
  transport: z.enum(['electron', 'browser']),
  backends: z.array(BackendStatus),
  node: z.string(),
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** Methods about the application itself. */
export const appMethods = {
  'app.info': method(z.object({}).strict(), AppInfo, 'Version, data folder and compute backends'),
};
