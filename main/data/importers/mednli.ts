import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isDir, readText } from '#main/data/fs-utils';
import { parseJsonLines } from '#main/data/text/json';
import type { Importer, ParsedExample } from '#main/data/types';
import { isRecord, limited, meta, optionalString, recordRef, splitFromName } from './common';

/** MedNLI gold labels to the workbench's answers (spec §2.2: neutral -> maybe). */
export const NLI_ANSWERS: Readonly<Record<string, string>> = {
  entailment: 'yes',
  contradiction: 'no',
  neutral: 'maybe',
};
const CANDIDATES = ['yes', 'no', 'maybe'] as const;

/** MedNLI: `mli_{train,dev,test}_v1.jsonl` with sentence1, sentence2, gold_label. */
export const mednliImporter: Importer = {
  format: 'mednli',
  label: 'MedNLI',
  description: '`mli_{train,dev,test}_v1.jsonl` (sentence1, sentence2, gold_label)',
  detect: (p) =>
    p.isDir ? p.entries.some((e) => /^mli_.*\.jsonl$/i.test(e)) : /^mli_.*\.jsonl$/.test(p.base),
  async parse(path, options, problems) {
    const files = isDir(path)
      ? readdirSync(path)
          .filter((e) => /\.jsonl$/i.test(e))
          .sort()
          .map((e) => join(path, e))
      : [path];
    const examples: ParsedExample[] = [];
    let dropped = 0;
    for (const full of files) {
      const file = basename(full);
      const split = splitFromName(file);
      for (const { line, index, value } of parseJsonLines(await readText(full, problems), file, problems)) {
        const ref = recordRef(file, value, ['pairID'], index, line);
        if (!isRecord(value)) {
          problems.skip(ref, undefined, 'expected an object');
          continue;
        }
        const s1 = optionalString(value, 'sentence1').trim();
        const s2 = optionalString(value, 'sentence2').trim();
        const gold = optionalString(value, 'gold_label').trim().toLowerCase();
        if (gold === '-') {
          dropped++;
          continue;
        }
        if (!s1) problems.skip(ref, 'sentence1', 'sentence1 is missing or empty');
        if (!s2) problems.skip(ref, 'sentence2', 'sentence2 is missing or empty');
        const target = NLI_ANSWERS[gold];
        if (!target) {
          problems.skip(
            ref,
            'gold_label',
            `unknown label "${gold}" (expected entailment, contradiction or neutral)`,
          );
          continue;
        }
        if (!s1 || !s2) continue;
        examples.push({
          ref,
          ...(split ? { split } : {}),
          task: 'text_understanding',
          inputs: { s1, s2 },
          target,
          candidates: CANDIDATES,
          meta: meta({ label: gold, answerType: 'closed', sourceId: optionalString(value, 'pairID') }),
        });
      }
    }
    if (dropped > 0)
      problems.warn(
        basename(path),
        `${dropped} pair(s) without a gold label ("-") dropped, as mednli.py does`,
      );
    return {
      format: 'mednli',
      name: 'MedNLI',
      task: 'text_understanding',
      examples: limited(examples, options),
      images: new Map(),
      meta: { source: 'Romanov and Shivade 2018, MedNLI', labels: NLI_ANSWERS },
    };
  },
};
