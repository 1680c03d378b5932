import { dirname, join } from 'node:path';
import { existsSync, findEntry, isDir, readText } from '#main/data/fs-utils';
import { parseJson, topLevelLines } from '#main/data/text/json';
import type { Importer, ParsedExample } from '#main/data/types';
import { taskOf } from '#shared/tasks';
import { isRecord, limited, meta } from './common';

const LABELS = ['yes', 'no', 'maybe'] as const;
const qa = taskOf('question_answering');

/** PubMedQA PQA-L: `ori_pqal.json` (PMID -> record) and the official `test_ground_truth.json`. */
export const pubmedqaImporter: Importer = {
  format: 'pubmedqa',
  label: 'PubMedQA',
  description: '`ori_pqal.json` (+ `test_ground_truth.json`: the 500 official test PMIDs)',
  detect: (p) => (p.isDir ? p.entries.includes('ori_pqal.json') : p.base === 'ori_pqal.json'),
  async parse(path, options, problems) {
    const dir = isDir(path) ? path : dirname(path);
    const file = isDir(path) ? join(dir, 'ori_pqal.json') : path;
    const text = await readText(file, problems);
    const data = parseJson(text, 'ori_pqal.json', problems);
    if (!isRecord(data))
      problems.fail('ori_pqal.json', 'expected an object mapping PMID to a record', { line: 1 });
    const lines = topLevelLines(text);
    let testIds: Set<string> | undefined;
    const truthFile = findEntry(dir, 'test_ground_truth.json');
    const truth: Record<string, unknown> = {};
    if (truthFile && existsSync(truthFile)) {
      const t = parseJson(await readText(truthFile, problems), 'test_ground_truth.json', problems);
      if (!isRecord(t))
        problems.fail('test_ground_truth.json', 'expected an object mapping PMID to yes/no/maybe');
      Object.assign(truth, t);
      testIds = new Set(Object.keys(truth));
      for (const id of testIds) {
        if (!(id in (data as object)))
          problems.error('test_ground_truth.json', `PMID ${id} is not in ori_pqal.json`, { field: id });
      }
    }
    const examples: ParsedExample[] = [];
    for (const [k, [pmid, rec]] of Object.entries(data as Record<string, unknown>).entries()) {
      const ref = { file: 'ori_pqal.json', id: pmid, line: lines[k] ?? 1 };
      if (!isRecord(rec)) {
        problems.skip(ref, undefined, 'expected an object');
        continue;
      }
      const question = rec['QUESTION'];
      const contexts = rec['CONTEXTS'];
      const decision = rec['final_decision'];
      if (typeof question !== 'string' || question.trim() === '') {
        problems.skip(ref, 'QUESTION', 'the question is missing or empty');
        continue;
      }
      if (!Array.isArray(contexts) || contexts.some((c) => typeof c !== 'string')) {
        problems.skip(ref, 'CONTEXTS', 'CONTEXTS must be a list of strings');
        continue;
      }
      // Stray whitespace and case ("Yes ") are normalised as the task expects.
      const label = typeof decision === 'string' ? decision.trim().toLowerCase() : decision;
      if (!LABELS.includes(label as (typeof LABELS)[number])) {
        problems.skip(
          ref,
          'final_decision',
          `unknown label ${JSON.stringify(decision)} (expected yes, no or maybe)`,
        );
        continue;
      }
      if (truth[pmid] !== undefined && truth[pmid] !== label) {
        problems.warn(
          'test_ground_truth.json',
          `PMID ${pmid}: ground truth "${String(truth[pmid])}" differs from final_decision "${String(decision)}"`,
        );
      }
      examples.push({
        ...(testIds ? { split: testIds.has(pmid) ? 'test' : 'train' } : {}),
        task: 'question_answering',
        inputs: { question: question.trim(), context: (contexts as string[]).join(' ').trim() },
        ref,
        target: qa.formatTarget(label as string),
        candidates: LABELS,
        meta: meta({
          sourceId: pmid,
          answerType: 'closed',
          year: typeof rec['YEAR'] === 'string' ? rec['YEAR'] : undefined,
          longAnswer: typeof rec['LONG_ANSWER'] === 'string' ? rec['LONG_ANSWER'] : undefined,
        }),
      });
    }
    return {
      format: 'pubmedqa',
      name: 'PubMedQA (PQA-L)',
      task: 'question_answering',
      examples: limited(examples, options),
      images: new Map(),
      meta: {
        source: 'Jin et al. 2019, PubMedQA',
        prompt: qa.description,
        testSplit: testIds ? 'test_ground_truth.json (500 PMIDs)' : 'none given: drawn with the seed',
        answerSet: [...LABELS],
      },
    };
  },
};
