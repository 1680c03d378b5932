import { DEMO_DATASETS } from '#main/data/demo/index';
import { Problems } from '#main/data/problems';
import { ImportOptions } from '#shared/domain/dataset';
import type { ServiceContext } from './context';
import { serialised } from './dataset-import';
import { storeParsed } from './dataset-store';

/** Seed of the shipped demo datasets. */
export const DEMO_SEED = 7;

/**
 * Imports the demo datasets (one per task type, marked synthetic) that are not in the library
 * yet. With `onlyIfEmpty` (the default, used on start-up) it does nothing unless the library is
 * empty, so a user's deletions stick. Returns the ids of the demo datasets now present.
 */
export function ensureDemoDatasets(
  ctx: ServiceContext,
  options: { onlyIfEmpty?: boolean; seed?: number } = {},
): Promise<string[]> {
  return serialised(() => addMissingDemos(ctx, options));
}

async function addMissingDemos(
  ctx: ServiceContext,
  options: { onlyIfEmpty?: boolean; seed?: number },
): Promise<string[]> {
  const seed = options.seed ?? DEMO_SEED;
  if ((options.onlyIfEmpty ?? true) && ctx.store.datasets.list().length > 0) return [];
  const ids: string[] = [];
  for (const demo of DEMO_DATASETS) {
    const existing = ctx.store.datasets.findDemo(demo.id);
    if (existing) {
      ids.push(existing);
      continue;
    }
    const problems = new Problems();
    const report = await storeParsed(
      ctx,
      demo.generate(seed),
      { dryRun: false, options: ImportOptions.parse({ seed }), sourcePath: null },
      problems,
      () => {},
    );
    if (report.datasetId) ids.push(report.datasetId);
  }
  return ids;
}
