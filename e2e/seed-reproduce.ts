import { join } from 'node:path';
import { CUSTOM_TEST_CONFIG, writeCheckpoints, writeDict } from '#main/data/weights/test-fixtures';
import { openWorkbench } from '#main/services/open';
import { repoRoot } from './fixtures';

/**
 * PyTorch-written look-alike weights (custom shape, their own dict.txt) imported into a data
 * folder the app has open, and VQA-RAD from ../shared/data: what reproducing a published
 * VQA-RAD row needs. The weights are random: their figures cannot match the paper's.
 */
export async function seedReproduction(home: string, src: string): Promise<{ datasetId: string }> {
  writeCheckpoints(src, [
    {
      config: CUSTOM_TEST_CONFIG,
      files: [{ path: join(src, 'model.safetensors'), layout: 'hf-safetensors', dtype: 'fp32' }],
    },
  ]);
  writeDict(join(src, 'dict.txt'), 20);
  const ctx = openWorkbench(home, 'browser');
  try {
    const w = await ctx.invoke('weights.import', {
      path: join(src, 'model.safetensors'),
      name: 'look-alike S',
    });
    if (!w.ok) throw new Error(`look-alike weights did not import: ${JSON.stringify(w)}`);
    const report = await ctx.invoke('datasets.import', {
      path: join(repoRoot, '..', 'shared', 'data', 'vqa_rad'),
    });
    if (!report.datasetId) throw new Error(`VQA-RAD did not import: ${JSON.stringify(report)}`);
    return { datasetId: report.datasetId };
  } finally {
    ctx.close();
  }
}
