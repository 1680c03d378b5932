import { describe, expect, it } from 'vitest';
import { encodePng } from '#main/data/images/png';
import type { ParsedDataset } from '#main/data/types';
import { TASK_IDS } from '#shared/tasks';
import { demoClassification } from './image-demos';
import { DEMO_DATASETS } from './index';
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
});
