import { describe, expect, it } from 'vitest';
import { loadVectors, type TextItem } from '#main/eval/vectors/load-vectors';
import { describePipeline, evaluationPipeline } from '#shared/evaluation-pipelines';
import { computeEvaluationMetrics } from './evaluation-metrics';

// Reference figures from make_vectors.py (the scripts' steps: eval_caption's punctuation strip,
// _bioclean, pycocoevalcap ROUGE-L and CIDEr-D ports; rouge-score with nltk's Porter stemmer;
// eval_vqa_gen's strip against lower-cased, tab-stripped references).
interface Pipelines {
  captioning: {
    items: TextItem[];
    released: Record<string, number>;
    raw: Record<string, number>;
  };
  summarization: { items: TextItem[]; released: Record<string, number> };
  vqa: {
    items: { prediction: string; reference: string; type: string }[];
    released: Record<string, number>;
  };
}
const v = loadVectors<Pipelines>('pipelines.json');

const rows = (items: readonly { prediction: string; reference: string; type?: string }[]) =>
  items.map((x, i) => ({
    exampleId: i,
    prediction: x.prediction,
    reference: x.reference,
    answerType: x.type ?? null,
    candidates: null,
    scores: null,
  }));
const textRows = (items: readonly TextItem[]) =>
  rows(items.map((x) => ({ prediction: x.prediction, reference: x.references[0] ?? '' })));

describe('released evaluation pipelines', () => {
  it('captioning: ROUGE-L (pycocoevalcap) and CIDEr-D after _bioclean equal metric_caption.py', () => {
    const p = evaluationPipeline('captioning');
    const m = computeEvaluationMetrics('captioning', 'finetuned', textRows(v.captioning.items), {}, p);
    expect(Object.keys(m).sort()).toEqual(['cider', 'rougeL_coco']);
    expect(m['rougeL_coco']?.estimate).toBeCloseTo(v.captioning.released['rougeL_coco'] as number, 12);
    expect(m['cider']?.estimate).toBeCloseTo(v.captioning.released['cider'] as number, 12);
    expect(m['cider']?.n).toBe(5);
    // the raw-text variant is one option away, and differs (case and punctuation count there)
    const raw = { ...p, preset: 'raw' as const, textNormalization: 'none' as const };
    const r = computeEvaluationMetrics('captioning', 'finetuned', textRows(v.captioning.items), {}, raw);
    expect(r['rougeL_coco']?.estimate).toBeCloseTo(v.captioning.raw['rougeL_coco'] as number, 12);
    expect(r['cider']?.estimate).toBeCloseTo(v.captioning.raw['cider'] as number, 12);
    expect(r['cider']?.estimate).toBeLessThan(m['cider']?.estimate as number);
  });

  it('"The heart is enlarged." vs "the heart is enlarged": 0.5 COCO ROUGE-L raw, 1.0 after cleaning', () => {
    const one = rows([{ prediction: 'The heart is enlarged.', reference: 'the heart is enlarged' }]);
    const released = computeEvaluationMetrics(
      'captioning',
      'finetuned',
      one,
      {},
      evaluationPipeline('captioning'),
    );
    const raw = { ...evaluationPipeline('captioning'), textNormalization: 'none' as const };
    expect(released['rougeL_coco']?.estimate).toBeCloseTo(1, 12);
    expect(
      computeEvaluationMetrics('captioning', 'finetuned', one, {}, raw)['rougeL_coco']?.estimate,
    ).toBeCloseTo(0.5, 12);
  });

  it('summarization: ROUGE-1/2/L F with the stemmer equal eval_rouge.py', () => {
    const p = evaluationPipeline('summarization');
    const m = computeEvaluationMetrics('summarization', 'finetuned', textRows(v.summarization.items), {}, p);
    for (const k of ['rouge1', 'rouge2', 'rougeL'])
      expect(m[k]?.estimate).toBeCloseTo(v.summarization.released[k] as number, 12);
  });

  it('VQA: exact match against lower-cased, tab-stripped references, overall / closed / open', () => {
    const p = evaluationPipeline('vqa');
    const m = computeEvaluationMetrics('vqa', 'finetuned', rows(v.vqa.items), {}, p);
    for (const k of ['accuracy', 'accuracy_closed', 'accuracy_open'])
      expect(m[k]?.estimate).toBeCloseTo(v.vqa.released[k] as number, 12);
    // the workbench's normalisation also drops trailing punctuation: "left lung." counts there
    const raw = computeEvaluationMetrics(
      'vqa',
      'finetuned',
      rows(v.vqa.items),
      {},
      evaluationPipeline('vqa', 'raw'),
    );
    expect(raw['accuracy_open']?.estimate).toBeGreaterThan(m['accuracy_open']?.estimate as number);
  });

  it('records what it used: metrics, normalisation, script; raw keeps the task list', () => {
    const p = evaluationPipeline('captioning');
    expect(p).toMatchObject({ preset: 'released', textNormalization: 'biomedgpt-caption' });
    expect(describePipeline(p)).toContain('metric_caption.py');
    expect(describePipeline(p)).toContain('pycocoevalcap');
    expect(evaluationPipeline('captioning', 'raw')).toMatchObject({
      preset: 'raw',
      textNormalization: 'none',
    });
    expect(evaluationPipeline('captioning', 'raw').metrics).toContain('rougeL');
    expect(evaluationPipeline('instruction').preset).toBe('raw');
    expect(describePipeline(null)).toMatch(/raw text/);
  });
});
