import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { taskOf } from '#shared/tasks';
import { findEntry, isDir, readText } from '../fs-utils';
import { parseJson, topLevelLines } from '../text/json';
import type { ImageSource, Importer, ParsedExample } from '../types';
import { answerSet, isRecord, limited, meta, optionalString, yesNoCandidates } from './common';

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
    const best = Object.entries(label).sort((a, b) => Number(b[1]) - Number(a[1]))[0];
    return best?.[0];
  }
  const a = rec['answer'];
  return typeof a === 'string' && a.trim() !== '' ? a : undefined;
}

/**
 * PathVQA: `qas/{train,val,test}_vqa.json` (records `{img_id, question_id, sent, label: {ans: score}}`,
 * the JSON form of the released pickles) with images at `images/{split}/{img_id}.jpg`.
 */
export const pathvqaImporter: Importer = {
  format: 'pathvqa',
  label: 'PathVQA',
  description: '`qas/{train,val,test}_vqa.json` (img_id, sent, label) and `images/{train,val,test}/`',
  detect: (p) => p.isDir && p.entries.includes('qas') && existsSync(join(p.path, 'qas', 'train_vqa.json')),
  async parse(path, options, problems) {
    const qas = findEntry(path, 'qas') ?? path;
    const examples: ParsedExample[] = [];
    const images = new Map<string, ImageSource>();
    for (const [key, split] of SPLITS) {
      const file = `qas/${key}_vqa.json`;
      const full = join(qas, `${key}_vqa.json`);
      if (!existsSync(full)) {
        if (existsSync(join(qas, `${key}_vqa.pkl`))) {
          problems.error(
            file,
            `only the pickle ${key}_vqa.pkl is here: convert it to JSON first (python -c "import pickle,json;json.dump(pickle.load(open('${key}_vqa.pkl','rb')),open('${key}_vqa.json','w'))")`,
          );
        } else problems.error(file, 'the file is missing');
        continue;
      }
      const text = await readText(full, problems);
      const records = parseJson(text, file, problems);
      if (!Array.isArray(records))
        problems.fail(file, 'expected a JSON array of question records', { line: 1 });
      const lines = topLevelLines(text);
      const imageDir = isDir(join(path, 'images', key)) ? join(path, 'images', key) : join(path, 'images');
      for (const [k, rec] of (records as unknown[]).entries()) {
        const line = lines[k];
        if (!isRecord(rec)) {
          problems.error(file, 'expected an object', line ? { line } : {});
          continue;
        }
        const img = optionalString(rec, 'img_id') || optionalString(rec, 'image');
        const question = optionalString(rec, 'sent') || optionalString(rec, 'question');
        const answer = answerOf(rec);
        if (!img) problems.error(file, 'img_id is missing', { line, field: 'img_id' });
        if (!question) problems.error(file, 'sent (the question) is missing', { line, field: 'sent' });
        if (!answer) problems.error(file, 'label (the answer) is missing', { line, field: 'label' });
        if (!img || !question || !answer) continue;
        const imageKey = `${key}/${img}`;
        const fileName = /\.(jpe?g|png)$/i.test(img) ? img : `${img}.jpg`;
        if (!images.has(imageKey)) images.set(imageKey, { kind: 'file', path: join(imageDir, fileName) });
        const target = vqa.formatTarget(answer);
        const candidates = yesNoCandidates(target);
        examples.push({
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
