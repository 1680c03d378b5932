import { join } from 'node:path';
import { findEntry } from '#main/data/fs-utils';
import type { ImageSource, Importer, ParsedExample } from '#main/data/types';
import { meta, optionalString, requireString } from './common';
import { addImage, answerTypeOf, eachRecord, readJsonRecords, vqaDataset, vqaExample } from './vqa-records';

const FILES = [
  ['train.json', 'train'],
  ['validate.json', 'validation'],
  ['test.json', 'test'],
] as const;

/** SLAKE 1.0: `train/validate/test.json` + `imgs/`; English questions only unless `allLanguages`. */
export const slakeImporter: Importer = {
  format: 'slake',
  label: 'SLAKE 1.0',
  description:
    '`train.json`, `validate.json`, `test.json` (img_name, question, answer, q_lang, location, ...) and `imgs/`',
  detect: (p) => p.isDir && p.entries.includes('validate.json') && p.entries.includes('imgs'),
  async parse(path, options, problems) {
    const imgs = findEntry(path, 'imgs') ?? join(path, 'imgs');
    const examples: ParsedExample[] = [];
    const images = new Map<string, ImageSource>();
    let skipped = 0;
    for (const [file, split] of FILES) {
      const full = findEntry(path, file);
      if (!full) {
        problems.error(file, 'the file is missing (SLAKE has train.json, validate.json and test.json)');
        continue;
      }
      const { records, lines } = await readJsonRecords(full, file, problems);
      eachRecord(file, records, lines, ['qid'], problems, (rec, ref) => {
        const lang = optionalString(rec, 'q_lang') || 'en';
        if (lang !== 'en' && !options.allLanguages) {
          skipped++;
          return;
        }
        const imgName = requireString(rec, 'img_name', problems, ref);
        const question = requireString(rec, 'question', problems, ref);
        const answer = requireString(rec, 'answer', problems, ref);
        const answerType = answerTypeOf(rec, ref, problems);
        if (answerType === null || !imgName || !question || !answer) return;
        addImage(images, imgName, join(imgs, imgName));
        const organ = optionalString(rec, 'location').toLowerCase();
        examples.push(
          vqaExample({
            ref,
            split,
            question,
            answer,
            organ,
            image: imgName,
            answerType,
            meta: meta({
              organ,
              modality: optionalString(rec, 'modality'),
              contentType: optionalString(rec, 'content_type'),
              baseType: optionalString(rec, 'base_type'),
              language: lang,
              sourceId: optionalString(rec, 'qid'),
              image: imgName,
            }),
          }),
        );
      });
    }
    if (skipped > 0)
      problems.warn(
        'train.json',
        `${skipped} non-English question(s) skipped (set allLanguages to keep them)`,
      );
    return vqaDataset('slake', 'SLAKE 1.0', examples, images, options, {
      source: 'Liu et al. 2021, SLAKE',
      languages: options.allLanguages ? 'all' : 'en',
    });
  },
};
