import type { ClusterRunInfo } from '#shared/domain/cluster';
import type { RunSummary } from '#shared/domain/run';

/** One line on where a cluster run is: cluster, Slurm job id, state (with its reason), node, time, memory. */
export function clusterLine(c: ClusterRunInfo): string {
  const parts = [
    `${c.cluster} job ${c.jobId}`,
    c.state + (c.reason && c.reason !== 'None' ? ` (${c.reason})` : ''),
  ];
  if (c.node) parts.push(`on ${c.node}`);
  if (c.elapsedSeconds !== null) parts.push(`${Math.round(c.elapsedSeconds)} s`);
  if (c.maxRssBytes !== null) parts.push(`max RSS ${(c.maxRssBytes / 2 ** 20).toFixed(0)} MB`);
  if (c.attempt > 1) parts.push(`attempt ${c.attempt}`);
  return parts.join(' · ');
}

/** A compact mark for History rows: the Slurm job of a cluster run. */
export function ClusterBadge({ run }: { run: RunSummary }) {
  return run.cluster ? <JobBadge job={run.cluster} /> : null;
}

/** `cluster:job` with the whole line (state, node, time) as its title. */
export function JobBadge({ job }: { job: ClusterRunInfo }) {
  return (
    <span className="cluster-badge" title={clusterLine(job)}>
      {job.cluster}:{job.jobId}
    </span>
  );
}
