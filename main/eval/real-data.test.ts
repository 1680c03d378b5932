/**
 * The registry on real public data read in place from ../shared/data (relative to the repository
 * root), against figures make_vectors.py computed with nltk and the Python ports on the same
 * inputs. Skipped where the data folder is absent.
 */

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { computeMetrics } from './index';
import { splitWhitespace } from './normalize';
import { loadVectors } from './vectors/load-vectors';

const data = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const readJson = <T>(path: string): T => JSON.parse(readFileSync(data + path, 'utf8')) as T;
const v = loadVectors<{
  meqsum: Record<string, number>;
  vqa_rad_all_yes: Record<string, number>;
  pubmedqa_reasoning_free: Record<string, number>;
}>('real-data.json');
const close = (a: number | undefined, b: number | undefined): void =>
  expect(Math.abs((a ?? Number.NaN) - (b ?? Number.NaN))).toBeLessThan(1e-4);

// The shared datasets are part of every checkout's surroundings (CI included): fail loudly if absent.
if (!existsSync(data)) throw new Error(`${data} is missing: the metric checks need ../shared/data`);

describe('metrics on ../shared/data', () => {
  it('MeQSum: BLEU, ROUGE, METEOR (exact+stem), CIDEr-D and COCO ROUGE-L', () => {
    const rows = readJson<{ CHQ: string; Summary: string }[]>('meqsum/meqsum.json');
    const preds = rows.map((r) => splitWhitespace(r.CHQ).slice(0, 20).join(' '));
    const refs = rows.map((r) => r.Summary);
    expect(rows.length).toBe(v.meqsum['n']);
    const m = computeMetrics(
      ['bleu1', 'bleu2', 'bleu3', 'bleu4', 'rouge1', 'rouge2', 'rougeL', 'meteor'],
      preds,
      refs,
    );
    for (const k of ['bleu1', 'bleu2', 'bleu3', 'bleu4', 'rouge1', 'rouge2', 'rougeL'] as const)
      close(m[k], v.meqsum[k]);
    // METEOR's synonym stage uses the bundled WordNet by default; without synonyms it is exact + stem.
    close(m.meteor, v.meqsum['meteor_wordnet']);
    const plain = computeMetrics(['meteor'], preds, refs, { synonyms: () => new Set() });
    close(plain.meteor, v.meqsum['meteor_exact_stem']);
    const c = computeMetrics(['cider', 'rougeL_coco'], preds, refs, { textNormalization: 'bioclean' });
    close(c.cider, v.meqsum['cider_bioclean']);
    close(c.rougeL_coco, v.meqsum['rougeL_coco_bioclean']);
  });
  it('VQA-RAD test split, an all-"yes" baseline: accuracy by answer type', () => {
    const qs = readJson<{ phrase_type: string; answer: unknown; answer_type: string }[]>(
      'vqa_rad/VQA_RAD Dataset Public.json',
    ).filter((q) => q.phrase_type === 'test_freeform' || q.phrase_type === 'test_para');
    expect(qs.length).toBe(v.vqa_rad_all_yes['n']);
    const m = computeMetrics(
      ['accuracy', 'accuracy_closed', 'accuracy_open'],
      qs.map(() => 'yes'),
      qs.map((q) => String(q.answer)),
      { answerTypes: qs.map((q) => q.answer_type) },
    );
    close(m.accuracy, v.vqa_rad_all_yes['accuracy']);
    close(m.accuracy_closed, v.vqa_rad_all_yes['accuracy_closed']);
    close(m.accuracy_open, v.vqa_rad_all_yes['accuracy_open']);
  });
  it('PubMedQA PQA-L, reasoning-free predictions: accuracy and macro-F1', () => {
    const pq = Object.values(
      readJson<Record<string, { final_decision: string; reasoning_free_pred: string }>>(
        'pubmedqa/ori_pqal.json',
      ),
    );
    const m = computeMetrics(
      ['accuracy', 'macro_f1'],
      pq.map((q) => q.reasoning_free_pred),
      pq.map((q) => q.final_decision),
    );
    close(m.accuracy, v.pubmedqa_reasoning_free['accuracy']);
    close(m.macro_f1, v.pubmedqa_reasoning_free['macro_f1']);
  });
});
