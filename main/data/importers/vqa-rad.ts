import { dirname, join } from 'node:path';
import { findEntry, isDir } from '#main/data/fs-utils';
import type { ImageSource, Importer, ParsedExample } from '#main/data/types';
import { meta, optionalString, requireString } from './common';
import { addImage, answerTypeOf, eachRecord, readJsonRecords, vqaDataset, vqaExample } from './vqa-records';

const PUBLIC_JSON = 'VQA_RAD Dataset Public.json';

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
      const { records, lines } = await readJsonRecords(file, name, problems);
      eachRecord(name, records, lines, ['qid'], problems, (rec, ref) => {
        const imageName = requireString(rec, 'image_name', problems, ref);
        const question = requireString(rec, 'question', problems, ref);
        const answer = requireString(rec, 'answer', problems, ref);
        const answerType = answerTypeOf(rec, ref, problems);
        if (answerType === null || !imageName || !question || !answer) return;
        const phrase = optionalString(rec, 'phrase_type');
        const organ = optionalString(rec, 'image_organ').trim().toLowerCase();
        addImage(images, imageName, join(imageDir, imageName));
        examples.push(
          vqaExample({
            ref,
            split: fileSplit ?? (TEST_PHRASES.has(phrase) ? 'test' : 'train'),
            question: question.replace(/\t/g, ''),
            answer,
            organ,
            image: imageName,
            answerType,
            meta: meta({
              organ,
              questionType: optionalString(rec, 'question_type'),
              phraseType: phrase,
              sourceId: optionalString(rec, 'qid'),
              image: imageName,
            }),
          }),
        );
      });
    }
    return vqaDataset('vqa-rad', 'VQA-RAD', examples, images, options, {
      source: 'Lau et al. 2018, Scientific Data 5:180251',
      testSplit: 'phrase_type test_freeform + test_para',
      // "allcand": answers of train and test, as the BiomedGPT script builds it (following PubMedCLIP).
    });
  },
};
