import type { PredictionForMetrics } from '#db/repos/predictions';
import type { Store } from '#db/store';
import { type AlignmentSpec, bootstrapMetrics, normalizeAnswer, normalizeAnswerType } from '#main/eval/index';
import type { EvaluationMode, EvaluationPipeline, MetricWithCi } from '#shared/domain/evaluation';
import { evaluationPipeline } from '#shared/evaluation-pipelines';

/** Resamples per bootstrap CI (the eval module's default, stated here so the store says it). */
export const BOOTSTRAP_SAMPLES = 1000;

const YES_NO = new Set(['yes', 'no']);

/**
 * What counts as an in-scope answer for one example (spec §2.3, alignment accuracy): one of the
 * candidates for a closed question that has them, yes/no for a closed yes/no question, otherwise a
 * non-empty on-format answer.
 */
export function alignmentSpecOf(p: PredictionForMetrics): AlignmentSpec {
  const type = p.answerType ? normalizeAnswerType(p.answerType) : null;
  if (type !== 'OPEN' && p.candidates && p.candidates.length > 0) {
    return { kind: 'candidates', candidates: p.candidates };
  }
  if (type === 'CLOSED' && YES_NO.has(normalizeAnswer(p.reference))) return { kind: 'yes_no' };
  return { kind: 'free_text' };
}

/** Examples each metric is defined on (accuracy_closed only counts CLOSED questions, ...). */
function support(name: string, rows: readonly PredictionForMetrics[]): number {
  const types = rows.map((r) => (r.answerType ? normalizeAnswerType(r.answerType) : ''));
  if (name === 'accuracy_closed') return types.filter((t) => t === 'CLOSED').length;
  if (name === 'accuracy_open') return types.filter((t) => t === 'OPEN').length;
  return rows.length;
}

const finite = (x: number | undefined): number | null => (x === undefined || !Number.isFinite(x) ? null : x);

/** What a dataset adds to its task's metrics (MedMNIST: multi-label and ordinal subsets). */
export interface DatasetMetrics {
  /** Extra metric ids, e.g. `label_accuracy` (ChestMNIST) or `mae` (RetinaMNIST). */
  readonly metrics?: readonly string[];
  /** The label list those metrics read (multi-label columns, ordinal grades in order). */
  readonly labelNames?: readonly string[];
}

/** The `metrics` and `labelNames` a dataset's stored metadata carries, if any. */
export function datasetMetricsOf(meta: Readonly<Record<string, unknown>> | undefined): DatasetMetrics {
  const strings = (v: unknown): string[] | undefined =>
    Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  const metrics = strings(meta?.['metrics']);
  const labelNames = strings(meta?.['labelNames']);
  return { ...(metrics ? { metrics } : {}), ...(labelNames ? { labelNames } : {}) };
}

/**
 * The task's metrics (and the dataset's extra ones) over every stored prediction of an
 * evaluation, each with a percentile bootstrap 95% CI (main/eval). Zero-shot evaluations add
 * alignment accuracy. `label_auroc` needs per-label scores, which the decoder does not give yet:
 * it is left out. The pipeline names the metrics, their variants and the normalisation (default:
 * the raw-text pipeline, the task's full metric list).
 */
export function computeEvaluationMetrics(
  task: string,
  mode: EvaluationMode,
  rows: readonly PredictionForMetrics[],
  dataset: DatasetMetrics = {},
  pipeline: EvaluationPipeline = evaluationPipeline(task, 'raw'),
): Record<string, MetricWithCi> {
  const names = [...pipeline.metrics];
  for (const m of dataset.metrics ?? []) if (!names.includes(m) && m !== 'label_auroc') names.push(m);
  if (mode === 'zeroshot' && !names.includes('alignment_accuracy')) names.push('alignment_accuracy');
  if (rows.length === 0) return {};
  const scored = rows.every((r) => r.scores && r.candidates && r.scores.length === r.candidates.length);
  const metricNames = names.filter((n) => n !== 'auroc' || scored);
  const cis = bootstrapMetrics(
    metricNames,
    rows.map((r) => r.prediction),
    rows.map((r) => r.reference),
    {
      answerTypes: rows.map((r) => r.answerType ?? ''),
      alignment: rows.map(alignmentSpecOf),
      textNormalization: pipeline.textNormalization,
      answerNormalization: pipeline.answerNormalization,
      ...(scored
        ? { scores: rows.map((r) => r.scores ?? []), classLabels: rows[0]?.candidates ?? [] }
        : dataset.labelNames
          ? { classLabels: dataset.labelNames }
          : {}),
    },
    { samples: BOOTSTRAP_SAMPLES, seed: 0 },
  );
  const out: Record<string, MetricWithCi> = {};
  for (const name of metricNames) {
    const ci = (cis as Record<string, { estimate: number; low: number; high: number } | undefined>)[name];
    out[name] = {
      estimate: finite(ci?.estimate),
      low: finite(ci?.low),
      high: finite(ci?.high),
      n: support(name, rows),
    };
  }
  return out;
}

/** Computes and stores an evaluation's metrics; returns them. */
export function finalizeEvaluationMetrics(store: Store, evaluationId: string): Record<string, MetricWithCi> {
  const evaluation = store.evaluations.get(evaluationId);
  if (!evaluation) return {};
  const task = store.predictions.task(evaluationId) ?? store.datasets.get(evaluation.datasetId)!.task;
  const metrics = computeEvaluationMetrics(
    task,
    evaluation.mode,
    store.predictions.forMetrics(evaluationId),
    datasetMetricsOf(store.datasets.get(evaluation.datasetId)?.meta),
    evaluation.pipeline ?? evaluationPipeline(task, 'raw'),
  );
  store.evaluations.update(evaluationId, { metrics });
  return metrics;
}
