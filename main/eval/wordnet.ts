/**
 * A minimal WordNet 3.0 reader for METEOR's synonym stage: exactly what nltk's
 * `wordnet.synsets(word)` + `synset.lemmas()` give, i.e. lower-case the word, run nltk's morphy
 * (exception lists, then the detachment rules) for noun, verb, adjective and adverb, collect
 * the synsets of every base form found in the index files, and return their lemma names.
 *
 * The database is read at run time from a WordNet 3.0 `dict` directory (index.*, data.*, *.exc)
 * such as Debian's wordnet-base (`/usr/share/wordnet`) or nltk_data's `corpora/wordnet`. The
 * workbench does not ship WordNet; without it METEOR runs its exact + stem stages only.
 */

import { existsSync, readFileSync } from 'node:fs';
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

/** The first WordNet directory found: `$WORDNET_DIR`, then Debian's wordnet-base location. */
export function findWordNetDir(): string | null {
  const candidates = [process.env['WORDNET_DIR'], '/usr/share/wordnet'];
  for (const dir of candidates) {
    if (dir && existsSync(join(dir, 'index.noun')) && existsSync(join(dir, 'data.noun'))) return dir;
  }
  return null;
}

/** Load the WordNet database in `dir` (a WordNet 3.0 `dict` directory). */
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
    for (const line of readFileSync(join(dir, `${FILE[pos]}.exc`), 'utf8').split('\n')) {
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
