import { type Db, type OpenOptions, openDatabase } from './connection';
import { registerConnection } from './internal';
import { blobsRepo } from './repos/blobs';
import { checkpointsRepo } from './repos/checkpoints';
import { clustersRepo } from './repos/clusters';
import { datasetsRepo } from './repos/datasets';
import { evaluationsRepo } from './repos/evaluations';
import { examplesRepo } from './repos/examples';
import { experimentsRepo } from './repos/experiments';
import { imageSourcesRepo } from './repos/image-sources';
import { jobsRepo } from './repos/jobs';
import { metricsRepo } from './repos/metrics';
import { predictionsRepo } from './repos/predictions';
import { referenceRowsRepo } from './repos/reference-rows';
import { runsRepo } from './repos/runs';
import { stagedExamplesRepo } from './repos/staged-examples';
import { weightsRepo } from './repos/weights';
import { weightsUsageRepo } from './repos/weights-usage';

/**
 * The opened store: one repository per aggregate. The connection is private to db/: every query
 * lives in a repository, and callers group writes with `transaction`.
 */
export interface Store {
  readonly file: string;
  readonly runs: ReturnType<typeof runsRepo>;
  readonly metrics: ReturnType<typeof metricsRepo>;
  readonly experiments: ReturnType<typeof experimentsRepo>;
  readonly datasets: ReturnType<typeof datasetsRepo>;
  readonly examples: ReturnType<typeof examplesRepo>;
  /** Examples of imports in progress (published into `examples` at the end). */
  readonly stagedExamples: ReturnType<typeof stagedExamplesRepo>;
  readonly blobs: ReturnType<typeof blobsRepo>;
  readonly imageSources: ReturnType<typeof imageSourcesRepo>;
  readonly jobs: ReturnType<typeof jobsRepo>;
  readonly checkpoints: ReturnType<typeof checkpointsRepo>;
  readonly evaluations: ReturnType<typeof evaluationsRepo>;
  readonly predictions: ReturnType<typeof predictionsRepo>;
  readonly weights: ReturnType<typeof weightsRepo>;
  readonly referenceRows: ReturnType<typeof referenceRowsRepo>;
  readonly weightsUsage: ReturnType<typeof weightsUsageRepo>;
  readonly clusters: ReturnType<typeof clustersRepo>;
  /** Runs `fn` in one transaction (all of its writes or none); nested calls become savepoints. */
  transaction<T>(fn: () => T): T;
  /** SQLite's full `integrity_check`: 'ok' when the file is sound. */
  integrityCheck(): string;
  /** Folds the write-ahead log into the database file (before reading the file's bytes). */
  checkpointWal(): void;
  /**
   * The connection's page cache in KiB (better-sqlite3 builds SQLite with 16,000): set to `kib`
   * when given; returns the size before. A streamed import lowers it while it runs (issue 22).
   */
  pageCacheKiB(kib?: number): number;
  /** False once closed. */
  isOpen(): boolean;
  close(): void;
}

/**
 * What an engine worker reads: a read-only connection (WAL lets it read while the main process
 * writes) with the same repositories. Workers never write to the database.
 */
export type ReadonlyStore = Pick<Store, 'file' | 'datasets' | 'examples' | 'close'>;

const closer = (db: Db) => () => {
  if (db.open) db.close();
};

/** Opens (creating and migrating if needed) the store at `file`. */
export function openStore(file: string, options?: Omit<OpenOptions, 'readonly'>): Store {
  const db = openDatabase(file, options);
  const store: Store = {
    file,
    runs: runsRepo(db),
    metrics: metricsRepo(db),
    experiments: experimentsRepo(db),
    datasets: datasetsRepo(db),
    examples: examplesRepo(db),
    stagedExamples: stagedExamplesRepo(db),
    blobs: blobsRepo(db),
    imageSources: imageSourcesRepo(db),
    jobs: jobsRepo(db),
    checkpoints: checkpointsRepo(db),
    evaluations: evaluationsRepo(db),
    predictions: predictionsRepo(db),
    weights: weightsRepo(db),
    referenceRows: referenceRowsRepo(db),
    weightsUsage: weightsUsageRepo(db),
    clusters: clustersRepo(db),
    transaction: (fn) => db.transaction(fn)(),
    integrityCheck: () => String(db.pragma('integrity_check', { simple: true })),
    checkpointWal: () => {
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    pageCacheKiB: (kib) => {
      const before = -Number(db.pragma('cache_size', { simple: true }));
      if (kib !== undefined) {
        if (!Number.isInteger(kib) || kib < 1)
          throw new Error(`page cache size must be a positive whole number of KiB, not ${kib}`);
        db.pragma(`cache_size = ${-kib}`);
      }
      return before;
    },
    isOpen: () => db.open,
    close: closer(db),
  };
  registerConnection(store, db);
  return store;
}

/** Opens an existing store read-only, for a worker (the main process has checked and migrated it). */
export function openReadonlyStore(file: string): ReadonlyStore {
  const db = openDatabase(file, { readonly: true, check: false });
  return { file, datasets: datasetsRepo(db), examples: examplesRepo(db), close: closer(db) };
}
