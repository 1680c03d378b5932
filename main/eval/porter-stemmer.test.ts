import { describe, expect, it } from 'vitest';
import { porterStem } from './porter-stemmer';
import { loadVectors } from './vectors/load-vectors';

const { cases } = loadVectors<{ cases: [string, string][] }>('porter.json');

describe('porterStem matches nltk PorterStemmer (NLTK_EXTENSIONS)', () => {
  it(`agrees on all ${cases.length} words`, () => {
    expect(cases.length).toBeGreaterThan(2000);
    const wrong = cases
      .filter(([w, s]) => porterStem(w) !== s)
      .map(([w, s]) => `${w}: ${porterStem(w)} != ${s}`);
    expect(wrong).toEqual([]);
  });
  it('handles classic examples', () => {
    expect(porterStem('caresses')).toBe('caress');
    expect(porterStem('generalizations')).toBe('gener');
    expect(porterStem('dying')).toBe('die');
    expect(porterStem('Skies')).toBe('ski');
  });
});
