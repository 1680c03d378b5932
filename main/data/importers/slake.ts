import { join } from 'node:path';
import { findEntry, readText } from '#main/data/fs-utils';
import { parseJson, topLevelLines } from '#main/data/text/json';
import type { ImageSource, Importer, ParsedExample } from '#main/data/types';
import { taskOf } from '#shared/tasks';
import {
  answerSet,
  isRecord,
  limited,
  meta,
  optionalString,
  recordRef,
  requireString,
  yesNoCandidates,
} from './common';

const vqa = taskOf('vqa');
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
      const text = await readText(full, problems);
      const records = parseJson(text, file, problems);
      if (!Array.isArray(records))
        problems.fail(file, 'expected a JSON array of question records', { line: 1 });
      const lines = topLevelLines(text);
      for (const [k, rec] of (records as unknown[]).entries()) {
        const line = lines[k];
        const ref = recordRef(file, rec, ['qid'], k, line);
        if (!isRecord(rec)) {
          problems.skip(ref, undefined, `expected an object, found ${JSON.stringify(rec)}`);
          continue;
        }
        const lang = optionalString(rec, 'q_lang') || 'en';
        if (lang !== 'en' && !options.allLanguages) {
          skipped++;
          continue;
        }
        const imgName = requireString(rec, 'img_name', problems, ref);
        const question = requireString(rec, 'question', problems, ref);
        const answer = requireString(rec, 'answer', problems, ref);
        const type = optionalString(rec, 'answer_type').trim().toUpperCase();
        if (type && type !== 'OPEN' && type !== 'CLOSED') {
          problems.skip(ref, 'answer_type', `unknown answer_type "${type}" (expected OPEN or CLOSED)`);
          continue;
        }
        if (!imgName || !question || !answer) continue;
        if (!images.has(imgName)) images.set(imgName, { kind: 'file', path: join(imgs, imgName) });
        const target = vqa.formatTarget(answer);
        const location = optionalString(rec, 'location');
        const answerType = type ? type.toLowerCase() : yesNoCandidates(target) ? 'closed' : 'open';
        const candidates = answerType === 'closed' ? yesNoCandidates(target) : undefined;
        examples.push({
          ref,
          split,
          task: 'vqa',
          inputs: { question, organ: location.toLowerCase() },
          target,
          ...(candidates ? { candidates } : {}),
          image: imgName,
          meta: meta({
            organ: location.toLowerCase(),
            modality: optionalString(rec, 'modality'),
            answerType,
            contentType: optionalString(rec, 'content_type'),
            baseType: optionalString(rec, 'base_type'),
            language: lang,
            sourceId: optionalString(rec, 'qid'),
            image: imgName,
          }),
        });
      }
    }
    if (skipped > 0)
      problems.warn(
        'train.json',
        `${skipped} non-English question(s) skipped (set allLanguages to keep them)`,
      );
    const kept = limited(examples, options);
    return {
      format: 'slake',
      name: 'SLAKE 1.0',
      task: 'vqa',
      examples: kept,
      images,
      meta: {
        source: 'Liu et al. 2021, SLAKE',
        answerSet: answerSet(kept),
        languages: options.allLanguages ? 'all' : 'en',
      },
    };
  },
};
