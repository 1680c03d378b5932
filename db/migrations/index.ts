import { initial } from './0010-initial';
import { jobs } from './0030-jobs';
import { weights } from './0040-weights';
import { referenceRows } from './0050-reference-rows';
import { clusters } from './0060-clusters';
import { evaluationWeights } from './0070-evaluation-weights';
import { evaluationPipeline } from './0080-evaluation-pipeline';
import { imageSources } from './0090-image-sources';
import { clusterEvaluations } from './0100-cluster-evaluations';
import { stagedExamples } from './0110-staged-examples';
import { importState } from './0120-import-state';
import type { Migration } from './types';

/** Every migration, oldest first. Add new steps at the end, with a higher version. */
export const MIGRATIONS: readonly Migration[] = [
  initial,
  jobs,
  weights,
  referenceRows,
  clusters,
  evaluationWeights,
  evaluationPipeline,
  imageSources,
  clusterEvaluations,
  stagedExamples,
  importState,
];

/** Checks that versions strictly increase; called at start-up and by the tests. */
export function checkMigrations(list: readonly Migration[] = MIGRATIONS): void {
  let last = 0;
  for (const m of list) {
    if (!Number.isInteger(m.version) || m.version <= last) {
      throw new Error(`Migration "${m.name}" has version ${m.version}, which is not above ${last}`);
    }
    last = m.version;
  }
}

/** The schema version this build of the workbench writes. */
export const LATEST_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
