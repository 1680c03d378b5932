import { describe, expect, it } from 'vitest';
import { encodePng } from '#main/data/images/png';
import type { ParsedDataset } from '#main/data/types';
import { TASK_IDS } from '#shared/tasks';
import { demoClassification, demoVqaCounts } from './image-demos';
import { DEMO_DATASETS, phantomVqa } from './index';
import { demoNli } from './notes';

const fingerprint = (d: ParsedDataset) =>
  JSON.stringify(
    d.examples.map((e) => {
      const img = e.image ? d.images.get(e.image) : undefined;
      const png =
        img?.kind === 'pixels'
          ? Buffer.from(encodePng(img.width, img.height, img.channels, img.data)).toString('base64', 0, 64)
          : '';
      return [e.task, e.inputs, e.target, png];
    }),
  );

describe('demo datasets', () => {
  it('one per task type, synthetic, deterministic from the seed', () => {
    const sets = DEMO_DATASETS.map((d) => d.generate(7));
    expect(sets.map((d) => d.task).sort()).toEqual([...TASK_IDS].sort());
    expect(sets.every((d) => d.synthetic === true && d.format === 'demo')).toBe(true);
    expect(fingerprint(demoClassification(7, 30))).toBe(fingerprint(demoClassification(7, 30)));
    expect(fingerprint(demoClassification(7, 30))).not.toBe(fingerprint(demoClassification(8, 30)));
  });

  it('phantom classification is learnable: softmax regression on pooled pixels beats the majority class', () => {
    const d = demoClassification(7, 600);
    const classes = ['normal', 'left lesion', 'right lesion'];
    const features = d.examples.map((e) => {
      const img = d.images.get(e.image!)!;
      if (img.kind !== 'pixels') throw new Error('expected pixels');
      const f = new Float64Array(64 + 1);
      for (let i = 0; i < img.data.length; i++) {
        const x = i % 64;
        const y = Math.floor(i / 64);
        f[Math.floor(y / 8) * 8 + Math.floor(x / 8)]! += img.data[i]! > 200 ? 1 / 64 : 0;
      }
      f[64] = 1;
      return { f, y: classes.indexOf(e.target) };
    });
    const train = features.slice(0, 450);
    const test = features.slice(450);
    const w = classes.map(() => new Float64Array(65));
    for (let epoch = 0; epoch < 60; epoch++) {
      for (const { f, y } of train) {
        const logits = w.map((wc) => wc.reduce((s, v, j) => s + v * f[j]!, 0));
        const m = Math.max(...logits);
        const p = logits.map((l) => Math.exp(l - m));
        const z = p.reduce((a, b) => a + b, 0);
        w.forEach((wc, c) => {
          const g = p[c]! / z - (c === y ? 1 : 0);
          for (let j = 0; j < 65; j++) wc[j]! -= 0.5 * g * f[j]!;
        });
      }
    }
    const acc =
      test.filter(({ f, y }) => {
        const logits = w.map((wc) => wc.reduce((s, v, j) => s + v * f[j]!, 0));
        return logits.indexOf(Math.max(...logits)) === y;
      }).length / test.length;
    expect(acc).toBeGreaterThan(0.8); // majority baseline: 1/3
  });

  it('note NLI is learnable: naive Bayes on words beats the majority class', () => {
    const d = demoNli(7, 600);
    // Plain bag of words of the hypothesis; no hand-made features.
    const words = (e: ParsedDataset['examples'][number]) => e.inputs['s2']!.toLowerCase().split(/\W+/);
    const train = d.examples.slice(0, 450);
    const test = d.examples.slice(450);
    const counts = new Map<string, Map<string, number>>();
    const prior = new Map<string, number>();
    for (const e of train) {
      prior.set(e.target, (prior.get(e.target) ?? 0) + 1);
      const c = counts.get(e.target) ?? new Map<string, number>();
      for (const w of words(e)) c.set(w, (c.get(w) ?? 0) + 1);
      counts.set(e.target, c);
    }
    const predict = (e: (typeof test)[number]) => {
      let best = '';
      let bestScore = Number.NEGATIVE_INFINITY;
      for (const [label, c] of counts) {
        const total = [...c.values()].reduce((a, b) => a + b, 0);
        const score =
          Math.log(prior.get(label)!) +
          words(e).reduce((s, w) => s + Math.log(((c.get(w) ?? 0) + 1) / (total + 1000)), 0);
        if (score > bestScore) [best, bestScore] = [label, score];
      }
      return best;
    };
    const majority = Math.max(...[...prior.values()]) / train.length;
    const acc = test.filter((e) => predict(e) === e.target).length / test.length;
    expect(acc).toBeGreaterThan(majority + 0.3);
  });

  it('counting VQA (issue 25): answers agree with each other and with the lesions drawn in the image', () => {
    const d = demoVqaCounts(7, 200, ['small', 'cmp']);
    expect(d.examples).toHaveLength(200 * 6);
    expect(fingerprint(d)).toBe(fingerprint(demoVqaCounts(7, 200, ['small', 'cmp'])));
    const words = ['no', 'one', 'two', 'three', 'four'];
    const byImage = new Map<string, Map<string, string>>();
    for (const e of d.examples) {
      const m = byImage.get(e.image!) ?? new Map<string, string>();
      m.set(e.inputs['question']!, e.target);
      byImage.set(e.image!, m);
    }
    let agree = 0;
    const counts = [0, 0, 0, 0];
    for (const [key, m] of byImage) {
      const n = words.indexOf(m.get('How many lesions are there?')!);
      const large = words.indexOf(m.get('How many large lesions are there?')!);
      const small = words.indexOf(m.get('How many small lesions are there?')!);
      counts[n]!++;
      expect(large + small).toBe(n);
      expect(m.get('Is there a lesion in the lungs?')).toBe(n > 0 ? 'yes' : 'no');
      expect(m.get('Is there a large lesion?')).toBe(large > 0 ? 'yes' : 'no');
      expect(m.get('Are there more large lesions than small ones?')).toBe(large > small ? 'yes' : 'no');
      // Lesions never overlap: the bright blobs in the image are as many as the answer says.
      const img = d.images.get(key)!;
      if (img.kind !== 'pixels') throw new Error('expected pixels');
      if (brightBlobs(img.data, img.width) === n) agree++;
    }
    expect(counts).toEqual([50, 50, 50, 50]); // 0-3 lesions, uniform: the count's prior is 1/4
    expect(agree / byImage.size).toBeGreaterThan(0.95);
    expect(demoVqaCounts(7, 40, ['nopres', 'n4']).examples.some((e) => e.target === 'four')).toBe(true);
  });

  it('names a bad BIOMED_DEMO_VQA question set', () => {
    const before = process.env['BIOMED_DEMO_VQA'];
    try {
      process.env['BIOMED_DEMO_VQA'] = 'counts-smal';
      expect(() => phantomVqa(7, 10)).toThrow(/BIOMED_DEMO_VQA=counts-smal: expected counts.*unknown: smal/);
      process.env['BIOMED_DEMO_VQA'] = 'counts-small';
      expect(phantomVqa(7, 10).examples).toHaveLength(50);
    } finally {
      if (before === undefined) delete process.env['BIOMED_DEMO_VQA'];
      else process.env['BIOMED_DEMO_VQA'] = before;
    }
  });
});

/** Connected regions (4-neighbour) of pixels brighter than the body, of at least 4 pixels. */
function brightBlobs(data: Uint8Array, width: number): number {
  const seen = new Uint8Array(data.length);
  let blobs = 0;
  for (let start = 0; start < data.length; start++) {
    if (seen[start] || data[start]! <= 200) continue;
    let size = 0;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const i = stack.pop()!;
      size++;
      const x = i % width;
      for (const j of [i - width, i + width, x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1]) {
        if (j >= 0 && j < data.length && !seen[j] && data[j]! > 200) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    if (size >= 4) blobs++;
  }
  return blobs;
}
