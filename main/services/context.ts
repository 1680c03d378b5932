import type { Store } from '#db/store';
import type { ClusterRuns } from '#main/jobs/cluster/cluster-runs';
import type { Scheduler } from '#main/jobs/scheduler';
import type { DataHome } from './data-home';
import type { EventBus } from './event-bus';

/** Everything a service handler may use. One per open data folder. */
export interface ServiceContext {
  readonly store: Store;
  readonly home: DataHome;
  readonly events: EventBus;
  /** The job queue of this data folder (engine workers, lifecycle). */
  readonly scheduler: Scheduler;
  /** Runs on Slurm clusters: submission, tracking, ingestion. */
  readonly clusters: ClusterRuns;
  readonly transport: 'electron' | 'browser';
  readonly version: string;
}
