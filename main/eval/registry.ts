import { MetricId as MetricIdSchema } from '#shared/domain/metric';
/**
 * The metric registry behind index.ts's `computeMetrics`, `bootstrapMetrics` and
 * `pairedBootstrapMetrics`: stable metric ids, the extras some metrics need, and how each
 * metric is fed. Each metric itself lives in its own module.
 *
 * How the registry feeds each metric:
 * - accuracy / accuracy_closed / accuracy_open: exact match after `normalizeAnswer` (or the
 *   scripts' `scriptAnswer` with `extras.answerNormalization: 'biomedgpt'`), any reference
 *   counts (exact-match.ts); the split needs `extras.answerTypes`.
 * - macro_f1: labels = `normalizeAnswer` of the prediction and of the first reference.
 * - auroc: `extras.scores` (one row per example, one column per class, in the order of
 *   `extras.classLabels`, default the sorted normalised reference labels); two classes = binary
 *   AUROC of column 1 (sklearn's positive class), more = one-vs-rest macro.
 * - label_auroc (multi-label, ChestMNIST): `extras.labelScores` (one column per label of
 *   `extras.classLabels`), truth = the label set of the first reference; mean per-label AUROC.
 * - label_accuracy: share of (example, label) cells where the predicted label set (parsed from
 *   the prediction) agrees with the reference's, over `extras.classLabels` (multilabel.ts).
 * - mae (ordinal, RetinaMNIST): |predicted - true grade|, grades = positions in
 *   `extras.classLabels` (else the answers as numbers); off-scale answers count as the largest
 *   error (ordinal.ts).
 * - bleu1..4, meteor, cider, rougeL_coco: text normalised per `extras.textNormalization`
 *   (default 'none'; captioning uses 'bioclean' or 'biomedgpt-caption'), then Python
 *   `str.split()` tokens (BLEU, METEOR, CIDEr) or pycocoevalcap's split(" ") (rougeL_coco).
 * - rouge1 / rouge2 / rougeL: rouge-score F-measure with its own tokenizer and Porter stemmer
 *   (after the same optional normalisation), mean over examples.
 * - alignment_accuracy: `extras.alignment` (one spec, or one per example).
 * Metrics whose inputs are missing or undefined on the data come out as NaN.
 *
 * Bootstrap: corpus-level metrics whose statistics add up (BLEU's clipped counts and lengths,
 * macro-F1, AUROC) are recomputed on each resampled corpus; per-example metrics (accuracy,
 * ROUGE, METEOR, alignment) and CIDEr-D (document frequencies fixed from the full corpus) are
 * averaged over the resampled examples.
 */

import type { AlignmentSpec } from './alignment';
import { isAligned } from './alignment';
import { binaryAuroc, macroAuroc } from './auroc';
import type { BleuStats } from './bleu';
import { bleuFromStats, bleuSentenceStats, sumBleuStats } from './bleu';
import { ciderD } from './cider';
import { macroF1 } from './classification';
import { exactMatch } from './exact-match';
import type { SynonymLookup } from './meteor';
import { meteorScore } from './meteor';
import { labelAccuracy, labelAuroc, parseLabelSet } from './multilabel';
import type { AnswerNormalization, TextNormalization } from './normalize';
import { normalizeAnswer, normalizeAnswerType, normalizeText, splitWhitespace } from './normalize';
import { perExampleAbsoluteError } from './ordinal';
import { rougeScoreMulti } from './rouge';
import { rougeLCocoExample } from './rouge-l-coco';
import { bundledWordNet } from './wordnet';

/** Stable metric ids: the one list in shared/ (task registry and API use it too). */
export const METRIC_IDS = MetricIdSchema.options;

/** Metrics where a smaller value is the better one (every other metric: higher is better). */
export const LOWER_IS_BETTER: ReadonlySet<string> = new Set(['mae']);

/** One of {@link METRIC_IDS}. */
export type MetricId = (typeof METRIC_IDS)[number];

/** Inputs some metrics need beyond predictions and references. */
export interface MetricExtras {
  /** VQA answer type per example ("CLOSED" / "OPEN"). */
  readonly answerTypes?: readonly string[];
  /** Candidate scores per example, one column per class (AUROC). */
  readonly scores?: readonly (readonly number[])[];
  /** The class of each score column (AUROC); the label list of multi-label and ordinal metrics. */
  readonly classLabels?: readonly string[];
  /** Per-label scores per example, one column per label of `classLabels` (label_auroc). */
  readonly labelScores?: readonly (readonly number[])[];
  /** In-scope answer definition (alignment accuracy). */
  readonly alignment?: AlignmentSpec | readonly AlignmentSpec[];
  /** Answer normalisation before exact match, default 'workbench' (see normalize.ts). */
  readonly answerNormalization?: AnswerNormalization;
  /** Normalisation before text-generation metrics, default 'none'. */
  readonly textNormalization?: TextNormalization;
  /** WordNet synonyms for METEOR's third stage; absent = the bundled WordNet 3.1 (wordnet.ts). */
  readonly synonyms?: SynonymLookup;
}

/** Flat metric record. */
export type MetricValues = Partial<Record<MetricId, number>>;

/** Metric values on a (resampled) list of example indices. */
export type Evaluate = (indices: readonly number[]) => MetricValues;

const mean = (idx: readonly number[], values: readonly number[]): number =>
  idx.length === 0 ? Number.NaN : idx.reduce((s, i) => s + values[i]!, 0) / idx.length;

export function assertKnownMetrics(names: readonly string[]): asserts names is readonly MetricId[] {
  for (const n of names) {
    if (!(METRIC_IDS as readonly string[]).includes(n)) throw new Error(`unknown metric id: ${n}`);
  }
}

/**
 * Precompute what can be precomputed and return an evaluator over example index lists (the
 * full list for point estimates, resampled lists for the bootstrap).
 */
export function prepareMetrics(
  names: readonly MetricId[],
  predictions: readonly string[],
  references: readonly (string | readonly string[])[],
  extras: MetricExtras,
): Evaluate {
  if (predictions.length !== references.length)
    throw new Error('metrics: predictions/references length mismatch');
  const refs = references.map((r) => (typeof r === 'string' ? [r] : r));
  const want = new Set(names);
  const norm = extras.textNormalization ?? 'none';
  const hypText = predictions.map((p) => normalizeText(p, norm, true));
  const refText = refs.map((rs) => rs.map((r) => normalizeText(r, norm, false)));
  const parts: Evaluate[] = [];

  if (want.has('accuracy') || want.has('accuracy_closed') || want.has('accuracy_open')) {
    const em = predictions.map((p, i) => exactMatch(p, refs[i]!, extras.answerNormalization));
    const types = extras.answerTypes?.map(normalizeAnswerType);
    parts.push((idx) => {
      const of = (t: string): readonly number[] => (types ? idx.filter((i) => types[i] === t) : []);
      return {
        ...(want.has('accuracy') ? { accuracy: mean(idx, em) } : {}),
        ...(want.has('accuracy_closed') ? { accuracy_closed: mean(of('CLOSED'), em) } : {}),
        ...(want.has('accuracy_open') ? { accuracy_open: mean(of('OPEN'), em) } : {}),
      };
    });
  }
  const trueLabels = refs.map((rs) => normalizeAnswer(rs[0] ?? ''));
  const predLabels = predictions.map(normalizeAnswer);
  if (want.has('macro_f1')) {
    parts.push((idx) => ({
      macro_f1: idx.length === 0 ? Number.NaN : macroF1(pick(trueLabels, idx), pick(predLabels, idx)),
    }));
  }
  if (want.has('auroc')) {
    const classes = extras.classLabels?.map(normalizeAnswer) ?? [...new Set(trueLabels)].sort();
    const y = trueLabels.map((l) => classes.indexOf(l));
    const scores = extras.scores;
    parts.push((idx) => {
      if (!scores || scores.length !== predictions.length || y.some((c) => c < 0))
        return { auroc: Number.NaN };
      const yi = pick(y, idx);
      const si = pick(scores, idx);
      return {
        auroc:
          classes.length === 2
            ? binaryAuroc(
                yi,
                si.map((r) => r[1] ?? Number.NaN),
              )
            : macroAuroc(yi, si),
      };
    });
  }
  if (want.has('label_auroc') || want.has('label_accuracy')) {
    const labels = extras.classLabels ?? [];
    const truth = refs.map((rs) => parseLabelSet(rs[0] ?? '', labels));
    const predicted = predictions.map((p) => parseLabelSet(p, labels));
    const scores = extras.labelScores;
    const truthRows = truth.map((t) => labels.map((_, c) => (t.has(c) ? 1 : 0)));
    parts.push((idx) => ({
      ...(want.has('label_accuracy')
        ? {
            label_accuracy:
              labels.length === 0
                ? Number.NaN
                : labelAccuracy(pick(truth, idx), pick(predicted, idx), labels.length),
          }
        : {}),
      ...(want.has('label_auroc')
        ? {
            label_auroc:
              !scores || scores.length !== predictions.length || labels.length === 0
                ? Number.NaN
                : labelAuroc(pick(truthRows, idx), pick(scores, idx)),
          }
        : {}),
    }));
  }
  if (want.has('mae')) {
    const per = perExampleAbsoluteError(
      predictions,
      refs.map((rs) => rs[0] ?? ''),
      extras.classLabels,
    );
    parts.push((idx) => ({
      mae: mean(
        idx.filter((i) => !Number.isNaN(per[i]!)),
        per,
      ),
    }));
  }
  const bleuOrders = ([1, 2, 3, 4] as const).filter((k) => want.has(`bleu${k}`));
  if (bleuOrders.length > 0) {
    const stats: BleuStats[] = hypText.map((h, i) =>
      bleuSentenceStats(
        refText[i]!.map((r) => splitWhitespace(r)),
        splitWhitespace(h),
        4,
      ),
    );
    parts.push((idx) => {
      const total = sumBleuStats(pick(stats, idx), 4);
      return Object.fromEntries(bleuOrders.map((k) => [`bleu${k}`, bleuFromStats(total, k)]));
    });
  }
  const rougeKeys = (['rouge1', 'rouge2', 'rougeL'] as const).filter((k) => want.has(k));
  if (rougeKeys.length > 0) {
    const scores = hypText.map((h, i) => rougeScoreMulti(refText[i]!, h));
    const f = rougeKeys.map((k) => [k, scores.map((s) => s[k].fmeasure)] as const);
    parts.push((idx) => Object.fromEntries(f.map(([k, per]) => [k, mean(idx, per)])));
  }
  if (want.has('rougeL_coco')) {
    const per = hypText.map((h, i) => rougeLCocoExample(h, refText[i]!));
    parts.push((idx) => ({ rougeL_coco: mean(idx, per) }));
  }
  if (want.has('meteor')) {
    const opts = { synonyms: extras.synonyms ?? bundledWordNet().synonyms };
    const per = hypText.map((h, i) =>
      meteorScore(
        refText[i]!.map((r) => splitWhitespace(r)),
        splitWhitespace(h),
        opts,
      ),
    );
    parts.push((idx) => ({ meteor: mean(idx, per) }));
  }
  if (want.has('cider')) {
    // Document frequencies come from the full evaluated corpus; a resample averages the
    // per-example scores (recomputing df on a resample would count duplicated examples twice).
    const per = ciderD(hypText, refText).perExample;
    parts.push((idx) => ({ cider: mean(idx, per) }));
  }
  if (want.has('alignment_accuracy')) {
    const spec = extras.alignment;
    const per = spec
      ? predictions.map((p, i) => {
          const s = Array.isArray(spec) ? (spec as readonly AlignmentSpec[])[i] : (spec as AlignmentSpec);
          if (!s) throw new Error('alignment: one spec per example expected');
          return isAligned(p, s) ? 1 : 0;
        })
      : null;
    parts.push((idx) => ({ alignment_accuracy: per ? mean(idx, per) : Number.NaN }));
  }
  return (idx) => Object.assign({}, ...parts.map((f) => f(idx))) as MetricValues;
}

function pick<T>(xs: readonly T[], idx: readonly number[]): T[] {
  return idx.map((i) => xs[i]!);
}
