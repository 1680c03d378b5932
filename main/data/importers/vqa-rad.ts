import { dirname, join } from 'node:path';
import { findEntry, isDir, readText } from '#main/data/fs-utils';
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

const PUBLIC_JSON = 'VQA_RAD Dataset Public.json';
const vqa = taskOf('vqa');

/** `phrase_type` values of the official test split (spec §4.2 and data/README.md). */
const TEST_PHRASES = new Set(['test_freeform', 'test_para']);

function locate(path: string): { files: { file: string; split?: 'train' | 'test' }[]; imageDir: string } {
  const dir = isDir(path) ? path : dirname(path);
  const files: { file: string; split?: 'train' | 'test' }[] = [];
  if (!isDir(path)) files.push({ file: path });
  else {
    const pub = findEntry(dir, PUBLIC_JSON);
    if (pub) files.push({ file: pub });
    else {
      // data_RAD layout of the BiomedGPT script: trainset.json + testset.json.
      const train = findEntry(dir, 'trainset.json');
      const test = findEntry(dir, 'testset.json');
      if (train) files.push({ file: train, split: 'train' });
      if (test) files.push({ file: test, split: 'test' });
    }
  }
  const imageDir = findEntry(dir, 'images', 'VQA_RAD Image Folder') ?? dir;
  return { files, imageDir };
}

/** VQA-RAD: the public JSON (or data_RAD train/test sets) plus the image folder. */
export const vqaRadImporter: Importer = {
  format: 'vqa-rad',
  label: 'VQA-RAD',
  description: '`VQA_RAD Dataset Public.json` (or data_RAD `trainset.json` + `testset.json`) and `images/`',
  detect: (p) =>
    p.isDir
      ? p.entries.some((e) => e.toLowerCase() === PUBLIC_JSON.toLowerCase()) ||
        (p.entries.includes('trainset.json') && p.entries.includes('testset.json'))
      : p.base === PUBLIC_JSON.toLowerCase(),
  async parse(path, options, problems) {
    const { files, imageDir } = locate(path);
    if (files.length === 0) problems.fail(path, `no "${PUBLIC_JSON}" (or trainset.json + testset.json) here`);
    const examples: ParsedExample[] = [];
    const images = new Map<string, ImageSource>();
    for (const { file, split: fileSplit } of files) {
      const name = file.slice(dirname(file).length + 1);
      const text = await readText(file, problems);
      const records = parseJson(text, name, problems);
      if (!Array.isArray(records))
        problems.fail(name, 'expected a JSON array of question records', { line: 1 });
      const lines = topLevelLines(text);
      for (const [k, rec] of (records as unknown[]).entries()) {
        const line = lines[k];
        const ref = recordRef(name, rec, ['qid'], k, line);
        if (!isRecord(rec)) {
          problems.skip(ref, undefined, `expected an object, found ${JSON.stringify(rec)}`);
          continue;
        }
        const imageName = requireString(rec, 'image_name', problems, ref);
        const question = requireString(rec, 'question', problems, ref);
        const answer = requireString(rec, 'answer', problems, ref);
        const rawType = optionalString(rec, 'answer_type').trim().toUpperCase();
        if (rawType !== '' && rawType !== 'CLOSED' && rawType !== 'OPEN') {
          problems.skip(ref, 'answer_type', `unknown answer_type "${rawType}" (expected CLOSED or OPEN)`);
          continue;
        }
        if (!imageName || !question || !answer) continue;
        const phrase = optionalString(rec, 'phrase_type');
        const split = fileSplit ?? (TEST_PHRASES.has(phrase) ? 'test' : 'train');
        const target = vqa.formatTarget(answer);
        const organ = optionalString(rec, 'image_organ').trim();
        const imagePath = join(imageDir, imageName);
        if (!images.has(imageName)) images.set(imageName, { kind: 'file', path: imagePath });
        const answerType =
          rawType === '' ? (yesNoCandidates(target) ? 'closed' : 'open') : rawType.toLowerCase();
        const candidates = answerType === 'closed' ? yesNoCandidates(target) : undefined;
        examples.push({
          ref,
          split,
          task: 'vqa',
          inputs: { question: question.replace(/\t/g, ''), organ: organ.toLowerCase() },
          target,
          ...(candidates ? { candidates } : {}),
          image: imageName,
          meta: meta({
            organ: organ.toLowerCase(),
            answerType,
            questionType: optionalString(rec, 'question_type'),
            phraseType: phrase,
            sourceId: optionalString(rec, 'qid'),
            image: imageName,
          }),
        });
      }
    }
    const kept = limited(examples, options);
    return {
      format: 'vqa-rad',
      name: 'VQA-RAD',
      task: 'vqa',
      examples: kept,
      images,
      meta: {
        source: 'Lau et al. 2018, Scientific Data 5:180251',
        testSplit: 'phrase_type test_freeform + test_para',
        // "allcand": answers of train and test, as the BiomedGPT script builds it (following PubMedCLIP).
        answerSet: answerSet(kept),
      },
    };
  },
};
