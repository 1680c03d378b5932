import { pairedBootstrapMetrics } from '#main/eval/index';
import { WorkbenchError } from '#shared/api/errors';
import type { Comparison } from '#shared/api/evaluations';
import type { EvaluationSummary } from '#shared/domain/evaluation';
import type { ServiceContext } from './context';

const finite = (x: number | undefined): number | null => (x === undefined || !Number.isFinite(x) ? null : x);

/** Paired bootstrap of every shared metric between two evaluations, on the examples both predicted. */
function pairedTests(
  ctx: ServiceContext,
  a: EvaluationSummary,
  b: EvaluationSummary,
): Pick<Comparison, 'paired' | 'pairedExamples'> {
  const rowsA = ctx.store.predictions.forMetrics(a.id);
  const byId = new Map(ctx.store.predictions.forMetrics(b.id).map((r) => [r.exampleId, r]));
  const shared = rowsA.filter((r) => byId.has(r.exampleId));
  const names = Object.keys(a.metrics).filter(
    (n) => n in b.metrics && n !== 'auroc' && n !== 'alignment_accuracy',
  );
  if (shared.length === 0 || names.length === 0) return { paired: [], pairedExamples: shared.length };
  const results = pairedBootstrapMetrics(
    names,
    shared.map((r) => r.prediction),
    shared.map((r) => byId.get(r.exampleId)!.prediction),
    shared.map((r) => r.reference),
    { answerTypes: shared.map((r) => r.answerType ?? '') },
    { samples: 1000, seed: 0 },
  ) as Record<string, { delta: number; pValue: number; deltaCi: { low: number; high: number } } | undefined>;
  return {
    pairedExamples: shared.length,
    paired: names.map((metric) => {
      const r = results[metric];
      return {
        metric,
        delta: finite(r?.delta),
        deltaLow: finite(r?.deltaCi.low),
        deltaHigh: finite(r?.deltaCi.high),
        pValue: finite(r?.pValue),
      };
    }),
  };
}

/** Side-by-side metrics with CIs; a paired test when exactly two evaluations share a dataset split. */
export function compareEvaluations(ctx: ServiceContext, ids: readonly string[]): Comparison {
  const evaluations = ids.map((id, i) => {
    const ev = ctx.store.evaluations.get(id);
    if (!ev) throw new WorkbenchError('not_found', `No evaluation with id "${id}"`, `ids.${i}`);
    return ev;
  });
  const rows = evaluations.map((ev) => {
    const run = ev.runId ? ctx.store.runs.get(ev.runId) : undefined;
    return {
      id: ev.id,
      runId: ev.runId,
      runName: run?.name ?? null,
      scale: run?.scale ?? null,
      params: run?.params ?? null,
      datasetName: ev.datasetName,
      split: ev.split,
      mode: ev.mode,
      metrics: ev.metrics,
    };
  });
  const [a, b] = evaluations;
  const comparable =
    evaluations.length === 2 &&
    a &&
    b &&
    a.datasetId === b.datasetId &&
    a.split === b.split &&
    a.status === 'succeeded' &&
    b.status === 'succeeded';
  return { evaluations: rows, ...(comparable ? pairedTests(ctx, a, b) : { paired: [], pairedExamples: 0 }) };
}
