// Test helpers for scheduler/worker tests: a data folder with real VQA-RAD and quick fine-tunes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CUSTOM_TEST_CONFIG,
  requireTorch,
  writeCheckpoints,
  writeDict,
} from '#main/data/weights/test-fixtures';
import type { HyperparameterOverrides } from '#shared/domain/hyperparameters';
import { openWorkbench, type Workbench } from './open';
import { sharedData } from './test-workbench';

/** A workbench (running jobs) on `dir`, with VQA-RAD from ../shared/data imported. */
export async function vqaRadWorkbench(dir = mkdtempSync(join(tmpdir(), 'bw-jobs-'))): Promise<{
  ctx: Workbench;
  datasetId: string;
  dir: string;
  dispose(): void;
}> {
  const ctx = openWorkbench(dir, 'browser', { runJobs: true });
  const report = await ctx.invoke('datasets.import', { path: sharedData('vqa_rad') });
  return {
    ctx,
    datasetId: report.datasetId!,
    dir,
    dispose: () => {
      ctx.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Smallest-rung settings that step fast (about 0.1 s a step here at batch 4). */
export const QUICK: HyperparameterOverrides = {
  batchSize: 4,
  lr: 3e-3,
  maxSrcLength: 24,
  maxTgtLength: 8,
  imageSize: 32,
  warmupRatio: 0,
};

/** Queues a cpu-xs VQA fine-tune through `experiments.create`; returns its run id. */
export async function startFinetune(
  ctx: Workbench,
  datasetId: string,
  hyperparameters: HyperparameterOverrides,
  evaluate: { split: 'test' | null; limit?: number } = { split: null },
): Promise<string> {
  const created = await ctx.invoke('experiments.create', {
    name: 'test',
    task: 'vqa',
    datasets: [{ datasetId }],
    scale: 'cpu-xs',
    hyperparameters,
    evaluate,
  });
  return created.runs[0]!.id;
}

/** Polls until `check` returns true (fails after `timeoutMs`). */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Raw bytes of each tensor of a safetensors file, by name (services may not import the engine). */
export function tensorBytes(file: string): Map<string, Buffer> {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<
    string,
    { data_offsets: [number, number] }
  >;
  const out = new Map<string, Buffer>();
  for (const [name, e] of Object.entries(header))
    if (name !== '__metadata__')
      out.set(name, bytes.subarray(8 + n + e.data_offsets[0], 8 + n + e.data_offsets[1]));
  return out;
}

/** PyTorch-written look-alike weights (custom shape, HF safetensors) imported into the workbench; returns their id. */
export async function importLookAlikeWeights(wb: Workbench, dir: string, name: string): Promise<string> {
  requireTorch();
  const src = join(dir, 'published');
  mkdirSync(src);
  writeCheckpoints(src, [
    {
      config: CUSTOM_TEST_CONFIG,
      files: [{ path: join(src, 'model.safetensors'), layout: 'hf-safetensors', dtype: 'fp32' }],
    },
  ]);
  writeDict(join(src, 'dict.txt'), 20);
  const r = await wb.invoke('weights.import', { path: join(src, 'model.safetensors'), name });
  if (!r.ok || !r.record) throw new Error(`look-alike weights did not import: ${JSON.stringify(r)}`);
  return r.record.id;
}
