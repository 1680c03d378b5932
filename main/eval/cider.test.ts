import { describe, expect, it } from 'vitest';
import { ciderD } from './cider';
import type { TextItem } from './vectors/load-vectors';
import { loadVectors } from './vectors/load-vectors';

const v = loadVectors<{
  items: TextItem[];
  cider: number;
  per_image: number[];
  bioclean_items: TextItem[];
  bioclean_cider: number;
  bioclean_per_image: number[];
  hand: { name: string; items: TextItem[]; cider: number; per_image?: number[] }[];
}>('cider.json');
const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThan(1e-4);
const run = (items: readonly TextItem[]) =>
  ciderD(
    items.map((x) => x.prediction),
    items.map((x) => x.references),
  );

describe('CIDEr-D vs the pycocoevalcap CiderScorer port', () => {
  it('raw corpus, per image and mean', () => {
    const r = run(v.items);
    r.perExample.forEach((s, i) => {
      close(s, v.per_image[i]!);
    });
    close(r.score, v.cider);
  });
  it('bioclean corpus', () => {
    const r = run(v.bioclean_items);
    r.perExample.forEach((s, i) => {
      close(s, v.bioclean_per_image[i]!);
    });
    close(r.score, v.bioclean_cider);
  });
  it.each(v.hand.map((h) => [h.name, h] as const))('hand-checked: %s', (_, h) => {
    const r = run(h.items);
    close(r.score, h.cider);
    h.per_image?.forEach((s, i) => {
      close(r.perExample[i]!, s);
    });
  });
  it('is NaN when no reference has an n-gram', () => {
    expect(ciderD(['a'], [['']]).score).toBeNaN();
  });
});
