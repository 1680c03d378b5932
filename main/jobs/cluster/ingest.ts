import { join } from 'node:path';
import type { ClusterJobRecord, FollowedJobs } from '#db/repos/clusters';
import type { MetricWrite } from '#db/repos/metrics';
import type { Store } from '#db/store';
import { withDispatches } from '#main/jobs/backend-line';
import { LOG_TAIL_LINES } from '#main/jobs/run-log';
import { FINAL_STATUSES } from '#shared/domain/run';
import { type EventRecord, parseEvents, sortEventsFiles } from './events-file';
import { type ClusterShell, listDir, readFrom } from './shell';

/** How an events file ended (its completion marker), with the error it reported before. */
export interface IngestedEnd {
  readonly reason: 'completed' | 'cancelled' | 'paused' | 'error';
  readonly step: number;
  readonly signal: string | null;
  readonly error: string | null;
}

/** What one ingestion pass stored. */
export interface IngestResult {
  readonly records: number;
  readonly points: MetricWrite[];
  readonly step: number | null;
  readonly totalSteps: number | null;
  /** The completion marker of the newest file, if it has one (from this pass or an earlier one). */
  readonly end: IngestedEnd | null;
}

const tailOf = (previous: string, lines: readonly string[]): string =>
  [...(previous ? previous.split('\n') : []), ...lines].slice(-LOG_TAIL_LINES).join('\n');

interface Pass {
  points: MetricWrite[];
  step: number | null;
  totalSteps: number | null;
  error: string | null;
  log: string[];
}

/**
 * Ingests what is new in a run folder's events files into the store. Each file's complete lines
 * after its cursor are applied in one transaction together with the cursor's move, so a crash
 * between the two cannot store anything twice, and a second pass over the same bytes finds
 * nothing new. A line without its newline (still being written) waits for the next pass; a file
 * counts as complete only once its `end` record is read.
 */
export async function ingestRunFolder(
  store: Store,
  shell: ClusterShell,
  job: ClusterJobRecord,
): Promise<IngestResult> {
  let step: number | null = null;
  let totalSteps: number | null = null;
  const points: MetricWrite[] = [];
  const { records, end } = await ingestEvents(store, shell, store.clusters, job, (fresh, file, bad) => {
    const pass: Pass = {
      points: [],
      step: null,
      totalSteps: null,
      error: null,
      log: bad.map((b) => `[warn] unreadable line in ${file} skipped: ${b}`),
    };
    let end: IngestedEnd | undefined;
    for (const r of fresh) {
      if ('end' in r) end = { ...r.end, error: pass.error };
      else applyMessage(store, job, r, pass);
    }
    store.metrics.append(pass.points);
    store.runs.update(job.runId, {
      ...(pass.step !== null ? { step: pass.step } : {}),
      ...(pass.log.length > 0 ? { logTail: tailOf(store.runs.logTail(job.runId), pass.log) } : {}),
    });
    points.push(...pass.points);
    step = pass.step ?? step;
    totalSteps = pass.totalSteps ?? totalSteps;
    return end;
  });
  return { records, points, step, totalSteps, end };
}

/**
 * The loop of both ingestions: each file's complete lines after its cursor are applied (by
 * `apply`, which returns the file's completion marker when it read one) in one transaction with
 * the cursor's move.
 */
async function ingestEvents(
  store: Store,
  shell: ClusterShell,
  cursors: FollowedJobs,
  job: ClusterJobRecord,
  apply: (fresh: EventRecord[], file: string, bad: string[]) => IngestedEnd | undefined,
): Promise<{ records: number; end: IngestedEnd | null }> {
  const dir = join(job.runDir, 'events');
  const owner = job.runId;
  const files = sortEventsFiles([...new Set([...(await listDir(shell, dir)), ...cursors.files(owner)])]);
  let records = 0;
  for (const file of files) {
    const cursor = cursors.cursor(owner, file);
    if (cursor.complete) continue;
    const bytes = await readFrom(shell, join(dir, file), cursor.offset);
    if (!bytes || bytes.length === 0) continue;
    const parsed = parseEvents(bytes);
    const fresh = parsed.records.filter((r) => r.seq > cursor.seq);
    store.transaction(() => {
      const end = apply(fresh, file, parsed.bad);
      cursors.advance(owner, file, {
        offset: cursor.offset + parsed.consumed,
        seq: fresh.at(-1)?.seq ?? cursor.seq,
        complete: end !== undefined,
        ...(end !== undefined ? { end } : {}),
      });
    });
    records += fresh.length;
  }
  const newest = files.at(-1);
  const end = newest ? ((cursors.cursor(owner, newest).end as IngestedEnd | undefined) ?? null) : null;
  return { records, end };
}

/**
 * Ingests what is new in an evaluation folder's events files (`job.runId` is the evaluation's id):
 * its predictions are stored as a local evaluation's are (one row per example, so a requeued job
 * that predicts an example again replaces it), its progress and log tail with them.
 */
export async function ingestEvaluationFolder(
  store: Store,
  shell: ClusterShell,
  job: ClusterJobRecord,
): Promise<{ records: number; end: IngestedEnd | null }> {
  const id = job.runId;
  return ingestEvents(store, shell, store.clusters.evaluations, job, (fresh, file, bad) => {
    const log = bad.map((b) => `[warn] unreadable line in ${file} skipped: ${b}`);
    let error: string | null = null;
    let end: IngestedEnd | undefined;
    for (const r of fresh) {
      if ('end' in r) {
        end = { ...r.end, error };
        continue;
      }
      const m = r.msg;
      const stamp = new Date(r.t * 1000).toISOString().slice(11, 23);
      if (m.type === 'started') {
        const ev = store.evaluations.get(id);
        store.evaluations.update(id, {
          ...(ev && !FINAL_STATUSES.has(ev.status) ? { status: 'running' as const } : {}),
          ...(ev?.startedAt ? {} : { startedAt: new Date(r.t * 1000).toISOString() }),
          total: m.totalSteps,
        });
        log.push(
          `${stamp} backend ${m.backend.name} ${m.backend.version} on ${m.backend.device}, ${m.backend.threads} thread(s) on ${job.cluster}`,
        );
      } else if (m.type === 'predictions') {
        store.predictions.append(id, m.rows);
        store.evaluations.update(id, { done: m.done, total: m.total });
      } else if (m.type === 'log') log.push(`${stamp} ${m.level === 'info' ? '' : `[${m.level}] `}${m.line}`);
      else if (m.type === 'error') {
        error = m.message;
        log.push(`${stamp} [error] ${m.message}`);
      }
    }
    if (log.length > 0) {
      const previous = store.evaluations.get(id)?.logTail ?? '';
      store.evaluations.update(id, { logTail: tailOf(previous, log) });
    }
    return end;
  });
}

function applyMessage(
  store: Store,
  job: ClusterJobRecord,
  r: Extract<EventRecord, { msg: unknown }>,
  pass: Pass,
): void {
  const m = r.msg;
  const stamp = new Date(r.t * 1000).toISOString().slice(11, 23);
  switch (m.type) {
    case 'started': {
      pass.step = m.step;
      const run = store.runs.get(job.runId);
      store.runs.update(job.runId, {
        // A run the tracker already ended (cancelled before its first lines arrived) stays ended.
        ...(run && !FINAL_STATUSES.has(run.status) ? { status: 'running' as const } : {}),
        backend: `${m.backend.name} (${m.backend.version})`,
        device: `${m.backend.device} x${m.backend.threads} on ${job.cluster}`,
        ...(run?.startedAt ? {} : { startedAt: new Date(r.t * 1000).toISOString() }),
        ...(m.totalSteps !== null ? { totalSteps: m.totalSteps } : {}),
        ...(m.params !== null ? { params: m.params } : {}),
      });
      pass.log.push(
        `${stamp} backend ${m.backend.name} ${m.backend.version} on ${m.backend.device}, ${m.backend.threads} thread(s)`,
      );
      return;
    }
    case 'progress':
      pass.step = m.step;
      pass.totalSteps = m.totalSteps;
      if (m.dispatchesPerStep !== undefined) {
        const line = withDispatches(store.runs.get(job.runId)?.backend ?? null, m.dispatchesPerStep);
        store.runs.update(job.runId, { backend: line });
        pass.log.push(`${stamp} backend ${line}`);
      }
      return;
    case 'metrics':
      for (const p of m.points) pass.points.push({ runId: job.runId, ...p });
      return;
    case 'log':
      pass.log.push(`${stamp} ${m.level === 'info' ? '' : `[${m.level}] `}${m.line}`);
      return;
    case 'checkpoint':
      store.checkpoints.add({ runId: job.runId, step: m.step, path: m.path, bytes: m.bytes });
      pass.log.push(`${stamp} checkpoint at step ${m.step} (${(m.bytes / 1e6).toFixed(1)} MB)`);
      return;
    case 'done':
      pass.step = m.step;
      return;
    case 'error':
      pass.error = m.message;
      pass.log.push(`${stamp} [error] ${m.message}`);
      return;
    case 'predictions':
      return;
  }
}
