import type { ClusterJobRecord } from '#db/repos/clusters';
import type { Store } from '#db/store';
import { finalizeEvaluationMetrics } from '#main/jobs/evaluation-metrics';
import type { SchedulerEvents } from '#main/jobs/events';
import type { ClusterProfile, SlurmJobInfo } from '#shared/domain/cluster';
import { ingestEvaluationFolder } from './ingest';
import { jobOutcome } from './outcome';
import { clusterShell } from './shell';
import { isFinalState } from './slurm';

/**
 * One poll of a profile's evaluation jobs: ingests each job's events files, and ends an
 * evaluation with Slurm's verdict (metrics computed as a local evaluation's) once its job is final.
 */
export async function followEvaluations(
  opts: { readonly store: Store; readonly events: SchedulerEvents },
  profile: ClusterProfile,
  jobs: readonly ClusterJobRecord[],
  stateOf: (job: ClusterJobRecord) => SlurmJobInfo | undefined,
  closed: () => boolean,
): Promise<void> {
  const { store, events } = opts;
  const shell = clusterShell(profile);
  for (const job of jobs) {
    if (closed()) return;
    const id = job.runId;
    const info = stateOf(job);
    if (info) store.clusters.evaluations.updateJob(job.id, info);
    const ingested = await ingestEvaluationFolder(store, shell, job);
    if (closed()) return;
    const ev = store.evaluations.get(id);
    if (!ev) {
      store.clusters.evaluations.closeJob(job.id);
      continue;
    }
    if (info && isFinalState(info.state)) {
      const outcome = jobOutcome(profile, job, info, ingested.end, null);
      let status = outcome.status === 'paused' ? 'interrupted' : outcome.status;
      let error = outcome.error;
      if (info.state === 'CANCELLED' && info.reason === 'DependencyNeverSatisfied')
        error = `Slurm cancelled evaluation job ${job.jobId}: its training job did not succeed (--dependency=afterok).`;
      if (status === 'succeeded') {
        try {
          finalizeEvaluationMetrics(store, id);
        } catch (err) {
          status = 'failed';
          error = `computing metrics failed: ${(err as Error).message}`;
        }
      }
      const checkpoint =
        ev.runId && ev.checkpointId === null ? store.checkpoints.latest(ev.runId) : undefined;
      const ended = store.transaction(() => {
        store.clusters.evaluations.closeJob(job.id);
        return store.evaluations.update(id, {
          status,
          error,
          finishedAt: new Date().toISOString(),
          ...(checkpoint && status === 'succeeded' ? { checkpointId: checkpoint.id } : {}),
        });
      });
      if (ended) events.evaluationChanged(ended);
      continue;
    }
    if (info?.state === 'RUNNING' && ev.status === 'queued')
      store.evaluations.update(id, { status: 'running' });
    if (ingested.records > 0 || info?.state === 'RUNNING') {
      const now = store.evaluations.get(id);
      if (now) events.evaluationChanged(now);
    }
  }
}
