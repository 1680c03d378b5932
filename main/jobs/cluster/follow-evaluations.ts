import type { ClusterJobRecord } from '#db/repos/clusters';
import type { Store } from '#db/store';
import { finalizeEvaluationMetrics } from '#main/jobs/evaluation-metrics';
import type { SchedulerEvents } from '#main/jobs/events';
import type { ClusterProfile, SlurmJobInfo } from '#shared/domain/cluster';
import { ingestEvaluationFolder } from './ingest';
import { jobOutcome } from './outcome';
import { type ClusterShell, clusterShell } from './shell';
import { isFinalState, sbatch, scancel } from './slurm';

/** The message an evaluation gets when Slurm cancels it because its training job failed. */
const DEPENDENCY_FAILED = 'DependencyNeverSatisfied';

/**
 * After a run's training job was resubmitted as `trainJobId`: queues again (behind it, afterok)
 * the run's cluster evaluations of the same bundle that never decoded anything because an
 * earlier attempt of the training failed and Slurm cancelled them (or is about to: one still
 * pending behind the failed attempt is cancelled here). Returns their ids.
 */
export async function requeueEvaluations(
  store: Store,
  shell: ClusterShell,
  profile: ClusterProfile,
  run: { runId: string; bundleDir: string },
  trainJobId: string,
): Promise<string[]> {
  const requeued: string[] = [];
  for (const ev of store.evaluations.list({ runId: run.runId })) {
    const job = store.clusters.evaluations.latestJob(ev.id);
    if (!job || job.bundleDir !== run.bundleDir) continue;
    if (ev.status === 'succeeded' || ev.status === 'running' || ev.done > 0) continue;
    if (!job.closed) {
      // Still pending behind the failed attempt (Slurm has not cancelled it yet): it never runs.
      if (job.state !== 'PENDING') continue;
      await scancel(shell, [job.jobId]).catch(() => undefined);
      store.clusters.evaluations.closeJob(job.id);
    }
    const array = job.jobId.includes('_');
    const id = await sbatch(shell, profile, `${job.bundleDir}/eval.sh`, [
      ...(array ? [`--array=${job.taskIndex}`] : []),
      `--dependency=afterok:${trainJobId}`,
      '--kill-on-invalid-dep=yes',
      `--output=${job.bundleDir}/logs/eval-${array ? '%A_%a' : '%j'}.out`,
    ]);
    store.transaction(() => {
      store.clusters.evaluations.addJob({
        runId: ev.id,
        cluster: profile.name,
        profile,
        jobId: array ? `${id}_${job.taskIndex}` : id,
        taskIndex: job.taskIndex,
        bundleDir: job.bundleDir,
        runDir: job.runDir,
      });
      store.evaluations.update(ev.id, { status: 'queued', error: null, finishedAt: null });
    });
    requeued.push(ev.id);
  }
  return requeued;
}

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
      if (info.state === 'CANCELLED' && info.reason === DEPENDENCY_FAILED)
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
