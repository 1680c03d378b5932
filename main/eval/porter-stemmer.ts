/**
 * Porter stemmer, a port of nltk's `nltk.stem.porter.PorterStemmer` in its default
 * NLTK_EXTENSIONS mode (nltk 3.8), which is the stemmer rouge-score and nltk's METEOR use.
 * Works on code points (Python string semantics), so non-BMP characters count as one letter.
 * Checked against nltk on ~2,700 words in vectors/porter.json.
 */

type Rule = readonly [suffix: string, replacement: string, condition: ((stem: string[]) => boolean) | null];

/** nltk's irregular forms (NLTK_EXTENSIONS): word -> stem. */
const POOL: ReadonlyMap<string, string> = new Map(
  Object.entries({
    sky: ['sky', 'skies'],
    die: ['dying'],
    lie: ['lying'],
    tie: ['tying'],
    news: ['news'],
    inning: ['innings', 'inning'],
    outing: ['outings', 'outing'],
    canning: ['cannings', 'canning'],
    howe: ['howe'],
    proceed: ['proceed'],
    exceed: ['exceed'],
    succeed: ['succeed'],
  }).flatMap(([stem, forms]) => forms.map((f) => [f, stem] as const)),
);

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

function isConsonant(w: readonly string[], i: number): boolean {
  const c = w[i]!;
  if (VOWELS.has(c)) return false;
  if (c === 'y') return i === 0 ? true : !isConsonant(w, i - 1);
  return true;
}

function measure(stem: readonly string[]): number {
  let m = 0;
  for (let i = 0; i + 1 < stem.length; i++) {
    if (!isConsonant(stem, i) && isConsonant(stem, i + 1)) m++;
  }
  return m;
}

const positiveMeasure = (stem: string[]): boolean => measure(stem) > 0;
const measureGt1 = (stem: string[]): boolean => measure(stem) > 1;

function containsVowel(stem: readonly string[]): boolean {
  for (let i = 0; i < stem.length; i++) if (!isConsonant(stem, i)) return true;
  return false;
}

function endsDoubleConsonant(w: readonly string[]): boolean {
  const n = w.length;
  return n >= 2 && w[n - 1] === w[n - 2] && isConsonant(w, n - 1);
}

function endsCvc(w: readonly string[]): boolean {
  const n = w.length;
  return (
    (n >= 3 &&
      isConsonant(w, n - 3) &&
      !isConsonant(w, n - 2) &&
      isConsonant(w, n - 1) &&
      !['w', 'x', 'y'].includes(w[n - 1]!)) ||
    (n === 2 && !isConsonant(w, 0) && isConsonant(w, 1))
  );
}

function endsWith(w: readonly string[], suffix: string): boolean {
  const s = Array.from(suffix);
  if (s.length > w.length) return false;
  const off = w.length - s.length;
  return s.every((c, i) => w[off + i] === c);
}

function cut(w: readonly string[], suffix: string): string[] {
  return w.slice(0, w.length - Array.from(suffix).length);
}

function applyRules(word: string[], rules: readonly Rule[]): string[] {
  for (const [suffix, replacement, condition] of rules) {
    if (suffix === '*d' && endsDoubleConsonant(word)) {
      const stem = word.slice(0, -2);
      return condition === null || condition(stem) ? [...stem, ...Array.from(replacement)] : word;
    }
    if (endsWith(word, suffix)) {
      const stem = cut(word, suffix);
      return condition === null || condition(stem) ? [...stem, ...Array.from(replacement)] : word;
    }
  }
  return word;
}

function step1a(w: string[]): string[] {
  if (endsWith(w, 'ies') && w.length === 4) return [...cut(w, 'ies'), 'i', 'e'];
  return applyRules(w, [
    ['sses', 'ss', null],
    ['ies', 'i', null],
    ['ss', 'ss', null],
    ['s', '', null],
  ]);
}

function step1b(w: string[]): string[] {
  if (endsWith(w, 'ied')) return [...cut(w, 'ied'), ...(w.length === 4 ? ['i', 'e'] : ['i'])];
  if (endsWith(w, 'eed')) {
    const stem = cut(w, 'eed');
    return measure(stem) > 0 ? [...stem, 'e', 'e'] : w;
  }
  let inter: string[] | null = null;
  for (const suffix of ['ed', 'ing']) {
    if (endsWith(w, suffix)) {
      const candidate = cut(w, suffix);
      if (containsVowel(candidate)) {
        inter = candidate;
        break;
      }
    }
  }
  if (inter === null) return w;
  const last = inter[inter.length - 1]!;
  return applyRules(inter, [
    ['at', 'ate', null],
    ['bl', 'ble', null],
    ['iz', 'ize', null],
    ['*d', last, () => !['l', 's', 'z'].includes(last)],
    ['', 'e', (stem) => measure(stem) === 1 && endsCvc(stem)],
  ]);
}

function step1c(w: string[]): string[] {
  return applyRules(w, [['y', 'i', (stem) => stem.length > 1 && isConsonant(stem, stem.length - 1)]]);
}

function step2(w: string[]): string[] {
  if (endsWith(w, 'alli') && positiveMeasure(cut(w, 'alli'))) return step2([...cut(w, 'alli'), 'a', 'l']);
  const rules: Rule[] = [
    ['ational', 'ate', positiveMeasure],
    ['tional', 'tion', positiveMeasure],
    ['enci', 'ence', positiveMeasure],
    ['anci', 'ance', positiveMeasure],
    ['izer', 'ize', positiveMeasure],
    ['bli', 'ble', positiveMeasure],
    ['alli', 'al', positiveMeasure],
    ['entli', 'ent', positiveMeasure],
    ['eli', 'e', positiveMeasure],
    ['ousli', 'ous', positiveMeasure],
    ['ization', 'ize', positiveMeasure],
    ['ation', 'ate', positiveMeasure],
    ['ator', 'ate', positiveMeasure],
    ['alism', 'al', positiveMeasure],
    ['iveness', 'ive', positiveMeasure],
    ['fulness', 'ful', positiveMeasure],
    ['ousness', 'ous', positiveMeasure],
    ['aliti', 'al', positiveMeasure],
    ['iviti', 'ive', positiveMeasure],
    ['biliti', 'ble', positiveMeasure],
    ['fulli', 'ful', positiveMeasure],
    // nltk tests the measure of the word minus "ogi"'s last three letters, not of the stem.
    ['logi', 'log', () => positiveMeasure(w.slice(0, -3))],
  ];
  return applyRules(w, rules);
}

function step3(w: string[]): string[] {
  return applyRules(w, [
    ['icate', 'ic', positiveMeasure],
    ['ative', '', positiveMeasure],
    ['alize', 'al', positiveMeasure],
    ['iciti', 'ic', positiveMeasure],
    ['ical', 'ic', positiveMeasure],
    ['ful', '', positiveMeasure],
    ['ness', '', positiveMeasure],
  ]);
}

function step4(w: string[]): string[] {
  return applyRules(w, [
    ['al', '', measureGt1],
    ['ance', '', measureGt1],
    ['ence', '', measureGt1],
    ['er', '', measureGt1],
    ['ic', '', measureGt1],
    ['able', '', measureGt1],
    ['ible', '', measureGt1],
    ['ant', '', measureGt1],
    ['ement', '', measureGt1],
    ['ment', '', measureGt1],
    ['ent', '', measureGt1],
    ['ion', '', (stem) => measure(stem) > 1 && ['s', 't'].includes(stem[stem.length - 1] ?? '')],
    ['ou', '', measureGt1],
    ['ism', '', measureGt1],
    ['ate', '', measureGt1],
    ['iti', '', measureGt1],
    ['ous', '', measureGt1],
    ['ive', '', measureGt1],
    ['ize', '', measureGt1],
  ]);
}

function step5a(w: string[]): string[] {
  if (endsWith(w, 'e')) {
    const stem = w.slice(0, -1);
    if (measure(stem) > 1) return stem;
    if (measure(stem) === 1 && !endsCvc(stem)) return stem;
  }
  return w;
}

function step5b(w: string[]): string[] {
  return applyRules(w, [['ll', 'l', () => measure(w.slice(0, -1)) > 1]]);
}

/** Stem one word as nltk's `PorterStemmer().stem(word)` (lower-cases first). */
export function porterStem(word: string): string {
  const lower = word.toLowerCase();
  // nltk looks the *original* word up in the pool and measures the *original* length.
  const pooled = POOL.get(word);
  if (pooled !== undefined) return pooled;
  if (Array.from(word).length <= 2) return lower;
  let w = Array.from(lower);
  w = step1a(w);
  w = step1b(w);
  w = step1c(w);
  w = step2(w);
  w = step3(w);
  w = step4(w);
  w = step5a(w);
  w = step5b(w);
  return w.join('');
}

/** A memoising wrapper: metrics stem the same words many times. */
export function createCachedStemmer(): (word: string) => string {
  const cache = new Map<string, string>();
  return (word) => {
    let s = cache.get(word);
    if (s === undefined) {
      s = porterStem(word);
      cache.set(word, s);
    }
    return s;
  };
}
