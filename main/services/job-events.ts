import { existsSync } from 'node:fs';
import type { SchedulerEvents } from '#main/jobs/events';
import type { EvaluationSummary } from '#shared/domain/evaluation';
import type { MetricPoint } from '#shared/domain/metric';
import type { RunSummary } from '#shared/domain/run';
import { taskOf } from '#shared/tasks';
import type { ServiceContext } from './context';
import { type EvaluationTarget, queueEvaluation } from './evaluation-queue';

/** The evaluation plan stored in a run's config by `experiments.create`. */
interface StoredPlan {
  split: 'train' | 'validation' | 'test' | null;
  zeroShot: { datasetId: string; split: 'train' | 'validation' | 'test' }[];
  decoding?: EvaluationSummary['decoding'];
  limit?: number;
}

/** The evaluations a run's experiment asked for (fine-tuned split, zero-shot sets), unqueued. */
export function plannedEvaluations(ctx: ServiceContext, run: RunSummary): EvaluationTarget[] {
  const config = ctx.store.runs.config(run.id) ?? {};
  const plan = config['evaluate'] as StoredPlan | undefined;
  if (!plan) return [];
  const mixture = (config['mixture'] as { datasetId: string }[] | undefined) ?? [];
  const limit = plan.limit !== undefined ? { limit: plan.limit } : {};
  return [
    ...(plan.split
      ? mixture.map((m) => ({
          run,
          datasetId: m.datasetId,
          split: plan.split!,
          mode: 'finetuned' as const,
          ...(plan.decoding ? { decoding: plan.decoding } : {}),
          ...limit,
        }))
      : []),
    ...plan.zeroShot.map((z) => ({
      run,
      datasetId: z.datasetId,
      split: z.split,
      mode: 'zeroshot' as const,
      ...limit,
    })),
  ];
}

/** After a run succeeds: the evaluations its experiment asked for, queued here. */
function followUp(ctx: ServiceContext, run: RunSummary): void {
  if (run.status !== 'succeeded') return;
  if (ctx.store.evaluations.list({ runId: run.id }).length > 0) return;
  // A cluster run's evaluations are jobs queued behind it at submission; one submitted without
  // them is evaluated here only when this machine sees the cluster's shared folder.
  const checkpoint = run.cluster ? ctx.store.checkpoints.latest(run.id) : undefined;
  if (run.cluster && (!checkpoint || !existsSync(checkpoint.path))) return;
  for (const t of plannedEvaluations(ctx, run)) queueEvaluation(ctx, t);
}

/** A finished evaluation's metrics become points of its run's series and its best metric. */
function recordOnRun(ctx: ServiceContext, ev: EvaluationSummary): void {
  if (ev.status !== 'succeeded' || !ev.runId) return;
  const run = ctx.store.runs.get(ev.runId);
  if (!run) return;
  const prefix = ev.mode === 'zeroshot' ? `zeroshot/${ev.datasetName ?? ev.datasetId}` : ev.split;
  const step = ev.checkpointStep ?? run.step;
  const wallTime = Date.now() / 1000;
  ctx.store.metrics.append(
    Object.entries(ev.metrics)
      .filter(([, m]) => m.estimate !== null)
      .map(([name, m]) => ({ runId: run.id, name: `${prefix}/${name}`, step, value: m.estimate!, wallTime })),
  );
  const primary = taskOf(run.task).metrics[0];
  const value = primary ? ev.metrics[primary]?.estimate : null;
  if (ev.mode === 'finetuned' && primary && value !== null && value !== undefined) {
    if (run.bestMetric === null || value > run.bestMetric) {
      const updated = ctx.store.runs.update(run.id, {
        bestMetricName: `${ev.split}/${primary}`,
        bestMetric: value,
      });
      if (updated) ctx.events.emit('onDidChangeRun', { kind: 'updated', runId: run.id, run: updated });
    }
  }
}

/** Forwards scheduler events as API events, and chains the work that follows a finished job. */
export function schedulerEvents(ctx: () => ServiceContext): SchedulerEvents {
  return {
    runChanged(run) {
      const c = ctx();
      c.events.emit('onDidChangeRun', { kind: 'updated', runId: run.id, run });
      try {
        followUp(c, run);
      } catch (err) {
        c.store.runs.update(run.id, { error: `queueing its evaluations failed: ${(err as Error).message}` });
      }
    },
    runProgress(batch) {
      const points: Record<string, MetricPoint[]> = {};
      for (const p of batch.points) {
        const list = points[p.name] ?? [];
        list.push({ step: p.step, value: p.value, wallTime: p.wallTime });
        points[p.name] = list;
      }
      ctx().events.emit('onDidRunProgress', {
        runId: batch.runId,
        step: batch.step,
        totalSteps: batch.totalSteps,
        points,
      });
    },
    evaluationChanged(evaluation) {
      const c = ctx();
      c.events.emit('onDidChangeEvaluation', { evaluationId: evaluation.id, evaluation });
      recordOnRun(c, evaluation);
    },
  };
}
