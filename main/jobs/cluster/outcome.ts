import type { ClusterJobRecord } from '#db/repos/clusters';
import type { ClusterProfile, SlurmJobInfo } from '#shared/domain/cluster';
import type { RunStatus } from '#shared/domain/run';
import type { IngestedEnd } from './ingest';
import { baseState } from './slurm';

/** How a run ends once Slurm has ended its job. */
export interface ClusterOutcome {
  readonly status: RunStatus;
  readonly error: string | null;
}

const WHY: Record<string, string> = {
  TIMEOUT: 'it reached its time limit',
  OUT_OF_MEMORY: 'it used more memory than it asked for (--mem)',
  NODE_FAIL: 'its node failed',
  PREEMPTED: 'it was preempted by a job of higher priority',
  CANCELLED: 'it was cancelled (scancel)',
  BOOT_FAIL: 'its node failed to boot',
  DEADLINE: 'it reached its deadline',
  FAILED: 'the job script exited with an error',
};

/**
 * The run's final status from Slurm's final state and the run folder's completion marker. Slurm's
 * verdict wins over a worker that merely stopped in time (a job stopped at its time limit wrote
 * its checkpoint and exited cleanly, yet Slurm says TIMEOUT): the run ends with Slurm's reason.
 */
export function clusterOutcome(
  slurmState: string,
  info: { jobId: string; cluster: string; exitCode: string | null; reason: string | null; timeLimit: string },
  end: IngestedEnd | null,
  lastCheckpointStep: number | null,
): ClusterOutcome {
  const state = baseState(slurmState);
  const resume =
    lastCheckpointStep !== null
      ? ` Resume it to continue from its checkpoint at step ${lastCheckpointStep}.`
      : ' Resume it to start again.';
  const head = `Slurm ended job ${info.jobId} on ${info.cluster} with ${state}`;
  if (state === 'LOST')
    return {
      status: 'failed',
      error: `Gave up following job ${info.jobId} on ${info.cluster}: ${info.reason ?? 'Slurm never reported it'}.${resume}`,
    };
  if (state === 'COMPLETED') {
    if (end?.reason === 'completed') return { status: 'succeeded', error: null };
    if (end?.reason === 'paused') return { status: 'paused', error: null };
    if (end?.reason === 'cancelled') return { status: 'cancelled', error: null };
    if (end?.reason === 'error')
      return { status: 'failed', error: end.error ?? `${head}: the worker failed.` };
    return {
      status: 'failed',
      error: `${head}, but the run folder has no completion marker (the worker stopped before it finished writing).${resume}`,
    };
  }
  if (state === 'CANCELLED') {
    return {
      status: 'cancelled',
      error: `${head}: ${WHY['CANCELLED']}.${lastCheckpointStep !== null ? resume : ''}`,
    };
  }
  const why = WHY[state] ?? `state ${state}`;
  const detail =
    state === 'TIMEOUT'
      ? ` (--time=${info.timeLimit})`
      : state === 'FAILED' && info.exitCode
        ? ` (exit code ${info.exitCode})${end?.error ? `: ${end.error}` : ''}`
        : '';
  return { status: 'failed', error: `${head}: ${why}${detail}.${resume}` };
}

/** `clusterOutcome` of a followed job in a final state, from its record, profile and Slurm's answer. */
export function jobOutcome(
  profile: ClusterProfile,
  job: ClusterJobRecord,
  info: SlurmJobInfo,
  end: IngestedEnd | null,
  lastCheckpointStep: number | null,
): ClusterOutcome {
  return clusterOutcome(
    info.state,
    {
      jobId: job.jobId,
      cluster: job.cluster,
      exitCode: info.exitCode,
      reason: info.reason,
      timeLimit: profile.timeLimit,
    },
    end,
    lastCheckpointStep,
  );
}
