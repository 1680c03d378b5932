import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findEntry, isDir } from '#main/data/fs-utils';
import { readPickle } from '#main/data/text/pickle';
import type { ImageSource, Importer, ParsedExample } from '#main/data/types';
import { isRecord, meta, optionalString } from './common';
import { addImage, eachRecord, readJsonRecords, vqaDataset, vqaExample } from './vqa-records';

const SPLITS = [
  ['train', 'train'],
  ['val', 'validation'],
  ['test', 'test'],
] as const;

/** The answer of a PathVQA record: `label: {answer: score}` (highest score) or a plain `answer`. */
function answerOf(rec: Readonly<Record<string, unknown>>): string | undefined {
  const label = rec['label'];
  if (isRecord(label)) {
    const score = (x: unknown) => (typeof x === 'number' ? x : 0);
    const best = Object.entries(label).sort((a, b) => score(b[1]) - score(a[1]))[0];
    return best?.[0];
  }
  const a = rec['answer'];
  return typeof a === 'string' && a.trim() !== '' ? a : undefined;
}

/**
 * PathVQA: `qas/{train,val,test}_vqa.pkl` as released (read without Python, nothing executed) or
 * the same records as JSON: `{img_id, question_id, sent, label: {ans: score}}`; images at
 * `images/{split}/{img_id}.jpg`.
 */
export const pathvqaImporter: Importer = {
  format: 'pathvqa',
  label: 'PathVQA',
  description:
    '`qas/{train,val,test}_vqa.pkl` or `.json` (img_id, sent, label) and `images/{train,val,test}/`',
  detect: (p) =>
    p.isDir &&
    p.entries.includes('qas') &&
    (existsSync(join(p.path, 'qas', 'train_vqa.json')) || existsSync(join(p.path, 'qas', 'train_vqa.pkl'))),
  async parse(path, options, problems) {
    const qas = findEntry(path, 'qas') ?? path;
    const examples: ParsedExample[] = [];
    const images = new Map<string, ImageSource>();
    for (const [key, split] of SPLITS) {
      const json = join(qas, `${key}_vqa.json`);
      const pkl = join(qas, `${key}_vqa.pkl`);
      const file = existsSync(json) || !existsSync(pkl) ? `qas/${key}_vqa.json` : `qas/${key}_vqa.pkl`;
      let records: unknown[] = [];
      let lines: number[] = [];
      if (existsSync(json)) {
        ({ records, lines } = await readJsonRecords(json, file, problems));
      } else if (existsSync(pkl)) {
        let read: unknown;
        try {
          read = readPickle(await readFile(pkl));
        } catch (err) {
          problems.fail(file, `cannot read the pickle (${(err as Error).message})`);
        }
        if (!Array.isArray(read)) problems.fail(file, 'expected a list of question records', { line: 1 });
        records = read as unknown[];
      } else {
        problems.error(file, `the file is missing (neither ${key}_vqa.json nor ${key}_vqa.pkl)`);
        continue;
      }
      const imageDir = isDir(join(path, 'images', key)) ? join(path, 'images', key) : join(path, 'images');
      eachRecord(file, records, lines, ['question_id', 'qid'], problems, (rec, ref) => {
        const img = (optionalString(rec, 'img_id') || optionalString(rec, 'image')).trim();
        const question = (optionalString(rec, 'sent') || optionalString(rec, 'question')).trim();
        const answer = answerOf(rec)?.trim();
        if (!img) problems.skip(ref, 'img_id', 'img_id is missing');
        if (!question) problems.skip(ref, 'sent', 'sent (the question) is missing');
        if (!answer) problems.skip(ref, 'label', 'label (the answer) is missing');
        if (!img || !question || !answer) return;
        const imageKey = `${key}/${img}`;
        const fileName = /\.(jpe?g|png)$/i.test(img) ? img : `${img}.jpg`;
        addImage(images, imageKey, join(imageDir, fileName));
        examples.push(
          vqaExample({
            ref,
            split,
            question,
            answer,
            organ: '',
            image: imageKey,
            answerType: '',
            meta: meta({ sourceId: optionalString(rec, 'question_id'), image: img }),
          }),
        );
      });
    }
    return vqaDataset('pathvqa', 'PathVQA', examples, images, options, {
      source: 'He et al. 2020, PathVQA',
    });
  },
};
