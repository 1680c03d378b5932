import { readText } from '#main/data/fs-utils';
import type { Problems, RecordRef } from '#main/data/problems';
import { parseJson, topLevelLines } from '#main/data/text/json';
import type { ImageSource, ParsedDataset, ParsedExample } from '#main/data/types';
import type { DatasetFormat, ExampleMeta, ImportOptions, Split } from '#shared/domain/dataset';
import { taskOf } from '#shared/tasks';
import { answerSet, isRecord, limited, optionalString, recordRef, yesNoCandidates } from './common';

// The one home of the VQA record parsing the VQA-RAD, SLAKE and PathVQA importers share: the
// JSON array of question records, the record loop with its refs, `answer_type`, and the example
// (target, yes/no candidates, answer type) and dataset (answer set) they build.

const vqa = taskOf('vqa');

/** A JSON file of question records: the array and the line each top-level record starts on. */
export async function readJsonRecords(
  path: string,
  file: string,
  problems: Problems,
): Promise<{ records: unknown[]; lines: number[] }> {
  const text = await readText(path, problems);
  const records = parseJson(text, file, problems);
  if (!Array.isArray(records)) problems.fail(file, 'expected a JSON array of question records', { line: 1 });
  return { records, lines: topLevelLines(text) };
}

/** Calls `fn` with each record that is an object and its ref (own id from `idFields`); skips the rest. */
export function eachRecord(
  file: string,
  records: readonly unknown[],
  lines: readonly number[],
  idFields: readonly string[],
  problems: Problems,
  fn: (rec: Readonly<Record<string, unknown>>, ref: RecordRef) => void,
): void {
  for (const [k, rec] of records.entries()) {
    const ref = recordRef(file, rec, idFields, k, lines[k]);
    if (!isRecord(rec)) {
      problems.skip(ref, undefined, `expected an object, found ${JSON.stringify(rec)}`);
      continue;
    }
    fn(rec, ref);
  }
}

/**
 * The record's `answer_type` (`closed`, `open`, or '' when absent); null when it is something
 * else, and the record is skipped.
 */
export function answerTypeOf(
  rec: Readonly<Record<string, unknown>>,
  ref: RecordRef,
  problems: Problems,
): 'closed' | 'open' | '' | null {
  const type = optionalString(rec, 'answer_type').trim().toUpperCase();
  if (type === '' || type === 'CLOSED' || type === 'OPEN')
    return type.toLowerCase() as 'closed' | 'open' | '';
  problems.skip(ref, 'answer_type', `unknown answer_type "${type}" (expected CLOSED or OPEN)`);
  return null;
}

/** Registers a file image under `key` (once). */
export function addImage(images: Map<string, ImageSource>, key: string, path: string): void {
  if (!images.has(key)) images.set(key, { kind: 'file', path });
}

/**
 * A VQA example: the answer normalised as the target, yes/no candidates for closed questions,
 * `answerType` (given, else closed for yes/no answers) added to `meta`.
 */
export function vqaExample(e: {
  readonly ref: RecordRef;
  readonly split: Split;
  readonly question: string;
  readonly answer: string;
  readonly organ: string;
  readonly image: string;
  readonly answerType: 'closed' | 'open' | '';
  readonly meta: ExampleMeta;
}): ParsedExample {
  const target = vqa.formatTarget(e.answer);
  const answerType = e.answerType || (yesNoCandidates(target) ? 'closed' : 'open');
  const candidates = answerType === 'closed' ? yesNoCandidates(target) : undefined;
  return {
    ref: e.ref,
    split: e.split,
    task: 'vqa',
    inputs: { question: e.question, organ: e.organ },
    target,
    ...(candidates ? { candidates } : {}),
    image: e.image,
    meta: { ...e.meta, answerType },
  };
}

/** The parsed VQA dataset: the examples (up to `limit`) and their answer set ("allcand"). */
export function vqaDataset(
  format: DatasetFormat,
  name: string,
  examples: ParsedExample[],
  images: ReadonlyMap<string, ImageSource>,
  options: ImportOptions,
  meta: Readonly<Record<string, unknown>>,
): ParsedDataset {
  const kept = limited(examples, options);
  return { format, name, task: 'vqa', examples: kept, images, meta: { ...meta, answerSet: answerSet(kept) } };
}
