import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findEntry, isDir, readText } from '#main/data/fs-utils';
import { parseJson, topLevelLines } from '#main/data/text/json';
import { readPickle } from '#main/data/text/pickle';
import type { ImageSource, Importer, ParsedExample } from '#main/data/types';
import { taskOf } from '#shared/tasks';
import { answerSet, isRecord, limited, meta, optionalString, recordRef, yesNoCandidates } from './common';

const vqa = taskOf('vqa');
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
      let records: unknown;
      let lines: number[] = [];
      if (existsSync(json)) {
        const text = await readText(json, problems);
        records = parseJson(text, file, problems);
        lines = topLevelLines(text);
      } else if (existsSync(pkl)) {
        try {
          records = readPickle(await readFile(pkl));
        } catch (err) {
          problems.fail(file, `cannot read the pickle (${(err as Error).message})`);
        }
      } else {
        problems.error(file, `the file is missing (neither ${key}_vqa.json nor ${key}_vqa.pkl)`);
        continue;
      }
      if (!Array.isArray(records)) problems.fail(file, 'expected a list of question records', { line: 1 });
      const imageDir = isDir(join(path, 'images', key)) ? join(path, 'images', key) : join(path, 'images');
      for (const [k, rec] of (records as unknown[]).entries()) {
        const line = lines[k];
        const ref = recordRef(file, rec, ['question_id', 'qid'], k, line);
        if (!isRecord(rec)) {
          problems.skip(ref, undefined, 'expected an object');
          continue;
        }
        const img = (optionalString(rec, 'img_id') || optionalString(rec, 'image')).trim();
        const question = (optionalString(rec, 'sent') || optionalString(rec, 'question')).trim();
        const answer = answerOf(rec)?.trim();
        if (!img) problems.skip(ref, 'img_id', 'img_id is missing');
        if (!question) problems.skip(ref, 'sent', 'sent (the question) is missing');
        if (!answer) problems.skip(ref, 'label', 'label (the answer) is missing');
        if (!img || !question || !answer) continue;
        const imageKey = `${key}/${img}`;
        const fileName = /\.(jpe?g|png)$/i.test(img) ? img : `${img}.jpg`;
        if (!images.has(imageKey)) images.set(imageKey, { kind: 'file', path: join(imageDir, fileName) });
        const target = vqa.formatTarget(answer);
        const candidates = yesNoCandidates(target);
        examples.push({
          ref,
          split,
          task: 'vqa',
          inputs: { question, organ: '' },
          target,
          ...(candidates ? { candidates } : {}),
          image: imageKey,
          meta: meta({
            answerType: candidates ? 'closed' : 'open',
            sourceId: optionalString(rec, 'question_id'),
            image: img,
          }),
        });
      }
    }
    const kept = limited(examples, options);
    return {
      format: 'pathvqa',
      name: 'PathVQA',
      task: 'vqa',
      examples: kept,
      images,
      meta: { source: 'He et al. 2020, PathVQA', answerSet: answerSet(kept) },
    };
  },
};
