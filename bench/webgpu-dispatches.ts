/**
 * Compute dispatches per train step on the webgpu backend, stock tfjs kernels vs ours
 * (BIOMED_WEBGPU_KERNELS=stock|own), for the paper presets.
 *
 * Method (cheap enough for SwiftShader): the preset's structure (encoder and decoder layers,
 * ResNet stages and blocks, heads, the same parameter tensors) with every width reduced (dModel
 * 8 per head, FFN 4x, ResNet width 8, 64 px images, vocabulary 512) at batch 2, 8 + 8 tokens. A
 * step's dispatch count depends on its structure, not on widths, except where tfjs' stock kernels
 * pick a program by size (its matrix products: split-K adds a fill and a bias pass where ours
 * run one program; concat splits above the binding limit), so stock counts at full width can
 * differ by a few. The second step is counted (the first creates the Adam moments).
 *   npx tsx bench/webgpu-dispatches.ts [Base Large ...]
 * Prints one JSON line per preset and mode, then a table.
 */
import { initBackend } from '#main/engine/backend/index';
import { resetWebgpuDispatches, webgpuDispatches } from '#main/engine/backend/webgpu-counters';
import type { ModelConfig } from '#shared/model/config';
import { type PresetName, presetConfig } from '#shared/model/presets';
import { makeTrainStepFor } from './train-step-tfjs';

/** The preset's structure with every width reduced (see above). */
export function structureOf(preset: PresetName): ModelConfig {
  const c = presetConfig(preset);
  const dModel = 8 * c.heads;
  return {
    ...c,
    dModel,
    ffn: 4 * dModel,
    resnetWidth: 8,
    imageSize: 64,
    vocabSize: 512,
    maxSourcePositions: 64,
    maxTargetPositions: 64,
  };
}

/** Dispatches of one train step of `config` (the second: the first creates the moments). */
export async function dispatchesPerStep(
  config: ModelConfig,
  mode: 'own' | 'stock',
  workload = { batch: 2, sourceLength: 8, targetLength: 8, withImage: true },
): Promise<{ total: number; byProgram: Readonly<Record<string, number>> }> {
  const before = process.env['BIOMED_WEBGPU_KERNELS'];
  process.env['BIOMED_WEBGPU_KERNELS'] = mode;
  const h = makeTrainStepFor(config, workload);
  try {
    await h.step();
    resetWebgpuDispatches();
    await h.step();
    return webgpuDispatches();
  } finally {
    h.dispose();
    if (before === undefined) delete process.env['BIOMED_WEBGPU_KERNELS'];
    else process.env['BIOMED_WEBGPU_KERNELS'] = before;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await initBackend({ prefer: 'webgpu', strict: true });
  const presets = (process.argv.slice(2).length ? process.argv.slice(2) : ['Base', 'Large']) as PresetName[];
  const rows: string[] = [];
  for (const p of presets) {
    const counts: Record<string, number> = {};
    for (const mode of ['stock', 'own'] as const) {
      const t0 = performance.now();
      const c = await dispatchesPerStep(structureOf(p), mode);
      counts[mode] = c.total;
      const top = Object.entries(c.byProgram)
        .sort((x, y) => y[1] - x[1])
        .slice(0, 25);
      console.log(
        JSON.stringify({ preset: p, mode, dispatches: c.total, s: (performance.now() - t0) / 1000, top }),
      );
    }
    rows.push(
      `| ${p} | ${counts['stock']} | ${counts['own']} | ${((100 * counts['own']!) / counts['stock']!).toFixed(0)}% |`,
    );
  }
  console.log('| preset | stock dispatches / step | own | own / stock |\n|---|---|---|---|');
  console.log(rows.join('\n'));
  process.exit(0);
}
