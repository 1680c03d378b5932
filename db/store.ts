import { type Db, type OpenOptions, openDatabase } from './connection';
import { datasetsRepo } from './repos/datasets';
import { experimentsRepo } from './repos/experiments';
import { metricsRepo } from './repos/metrics';
import { runsRepo } from './repos/runs';

/** The opened store and one repository per aggregate. */
export interface Store {
  readonly db: Db;
  readonly file: string;
  readonly runs: ReturnType<typeof runsRepo>;
  readonly metrics: ReturnType<typeof metricsRepo>;
  readonly experiments: ReturnType<typeof experimentsRepo>;
  readonly datasets: ReturnType<typeof datasetsRepo>;
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
    close() {
      if (db.open) db.close();
    },
  };
}
