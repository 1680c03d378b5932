import { type Db, type OpenOptions, openDatabase } from './connection';
import { blobsRepo } from './repos/blobs';
import { checkpointsRepo } from './repos/checkpoints';
import { clustersRepo } from './repos/clusters';
import { datasetsRepo } from './repos/datasets';
import { evaluationsRepo } from './repos/evaluations';
import { examplesRepo } from './repos/examples';
import { experimentsRepo } from './repos/experiments';
import { jobsRepo } from './repos/jobs';
import { metricsRepo } from './repos/metrics';
import { predictionsRepo } from './repos/predictions';
import { referenceRowsRepo } from './repos/reference-rows';
import { runsRepo } from './repos/runs';
import { weightsRepo } from './repos/weights';
import { weightsUsageRepo } from './repos/weights-usage';

/** The opened store and one repository per aggregate. */
export interface Store {
  readonly db: Db;
  readonly file: string;
  readonly runs: ReturnType<typeof runsRepo>;
  readonly metrics: ReturnType<typeof metricsRepo>;
  readonly experiments: ReturnType<typeof experimentsRepo>;
  readonly datasets: ReturnType<typeof datasetsRepo>;
  readonly examples: ReturnType<typeof examplesRepo>;
  readonly blobs: ReturnType<typeof blobsRepo>;
  readonly jobs: ReturnType<typeof jobsRepo>;
  readonly checkpoints: ReturnType<typeof checkpointsRepo>;
  readonly evaluations: ReturnType<typeof evaluationsRepo>;
  readonly predictions: ReturnType<typeof predictionsRepo>;
  readonly weights: ReturnType<typeof weightsRepo>;
  readonly referenceRows: ReturnType<typeof referenceRowsRepo>;
  readonly weightsUsage: ReturnType<typeof weightsUsageRepo>;
  readonly clusters: ReturnType<typeof clustersRepo>;
  close(): void;
}

/** Opens (creating and migrating if needed) the store at `file`. */
export function openStore(file: string, options?: OpenOptions): Store {
  const db = openDatabase(file, options);
  return {
    db,
    file,
    runs: runsRepo(db),
    metrics: metricsRepo(db),
    experiments: experimentsRepo(db),
    datasets: datasetsRepo(db),
    examples: examplesRepo(db),
    blobs: blobsRepo(db),
    jobs: jobsRepo(db),
    checkpoints: checkpointsRepo(db),
    evaluations: evaluationsRepo(db),
    predictions: predictionsRepo(db),
    weights: weightsRepo(db),
    referenceRows: referenceRowsRepo(db),
    weightsUsage: weightsUsageRepo(db),
    clusters: clustersRepo(db),
    close() {
      if (db.open) db.close();
    },
  };
}
