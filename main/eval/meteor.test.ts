import { describe, expect, it } from 'vitest';
import { meteorCorpus, meteorScore, singleMeteor } from './meteor';
import { splitWhitespace } from './normalize';
import type { TextItem } from './vectors/load-vectors';
import { loadVectors } from './vectors/load-vectors';
import { bundledWordNet } from './wordnet';

const v = loadVectors<{
  items: TextItem[];
  per_example: { exact_stem: number; wordnet: number }[];
  mean_exact_stem: number;
  mean_wordnet: number;
  synsets_lemma_names: Record<string, string[]>;
}>('meteor.json');
const hyps = v.items.map((x) => splitWhitespace(x.prediction));
const refs = v.items.map((x) => x.references.map((r) => splitWhitespace(r)));
const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThan(1e-4);

describe('METEOR exact + stem stages vs nltk with a synset-less WordNet', () => {
  it.each(v.items.map((_, i) => [i] as const))('example %i', (i) => {
    close(meteorScore(refs[i]!, hyps[i]!), v.per_example[i]!.exact_stem);
  });
  it('corpus mean', () => close(meteorCorpus(refs, hyps), v.mean_exact_stem));
  it("reproduces nltk's docstring example (which needs no synonyms)", () => {
    const h =
      'It is a guide to action which ensures that the military always obeys the commands of the party';
    const r = 'It is a guide to action that ensures that the military will forever heed Party commands';
    close(singleMeteor(r.split(' '), h.split(' ')), 0.6944);
  });
});

// Never skipped: the WordNet is the npm package's, present wherever `npm ci` ran.
describe("METEOR with the bundled WordNet 3.1 vs nltk's WordNet reader on the same files", () => {
  const wn = bundledWordNet();
  it('reads the same synset lemma names as nltk', () => {
    for (const [word, names] of Object.entries(v.synsets_lemma_names)) {
      expect([...new Set(wn.lemmaNames(word).filter((n) => !n.includes('_')))].sort(), word).toEqual(
        [...new Set(names)].sort(),
      );
    }
  });
  it.each(v.items.map((_, i) => [i] as const))('example %i', (i) => {
    close(meteorScore(refs[i]!, hyps[i]!, { synonyms: wn.synonyms }), v.per_example[i]!.wordnet);
  });
  it('corpus mean, and the synonym stage changes some scores', () => {
    close(meteorCorpus(refs, hyps, { synonyms: wn.synonyms }), v.mean_wordnet);
    expect(v.mean_wordnet).toBeGreaterThan(v.mean_exact_stem + 0.01);
  });
});
