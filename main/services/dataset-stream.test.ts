import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Problems } from '#main/data/problems';
import { assignSplits } from '#main/data/splits';
import { collected, type ParsedExample, type StreamedDataset } from '#main/data/types';
import { ImportOptions, type Split } from '#shared/domain/dataset';
import { storeParsed } from './dataset-store';
import { storeStreamed } from './dataset-stream';
import { freshWorkbench } from './test-workbench';

// What a streamed import keeps per record lives in the store, not in memory (issue 22): the repeat
// check's first records, the group and official split of each staged example (the splits are
// drawn from them), the images stored anew. These tests use examples without images (no decode).
let ctx: ReturnType<typeof freshWorkbench>;
beforeAll(() => {
  ctx = freshWorkbench();
});
afterAll(() => ctx.close());

const options = ImportOptions.parse({});
const FILE = 'records.jsonl';

/** Example `i` of group `group` (line i + 1 of the file); `official` its split. */
function example(
  i: number,
  group: string,
  official?: Split,
  id = `r${i}`,
): ParsedExample & { group: string } {
  return {
    task: 'vqa',
    inputs: { question: `q${i}` },
    target: `a${id}`,
    group,
    meta: {},
    ref: { file: FILE, id, line: i + 1 },
    ...(official ? { split: official } : {}),
  };
}

/** A stream of `batches` (made when asked for), as an importer hands them over. */
function streamed(batches: ParsedExample[][]): StreamedDataset {
  return {
    format: 'vqa-rad',
    name: 'records',
    task: 'vqa',
    meta: {},
    batches: (function* () {
      for (const examples of batches) yield { examples, images: new Map() };
    })(),
  };
}

const store = (d: StreamedDataset, problems = new Problems()) =>
  storeStreamed(ctx, d, { options, sourcePath: null }, problems, () => {});

/** The split of each stored example, by its target (the example's id). */
function storedSplits(datasetId: string): Map<string, Split> {
  const out = new Map<string, Split>();
  for (const s of ['train', 'validation', 'test'] as const)
    for (const x of ctx.store.examples.list(datasetId, s)) out.set(x.target, s);
  return out;
}

describe('the state of a streamed import, in the store', () => {
  it('draws the splits from the staged groups exactly as assignSplits does, whatever the order of their names', async () => {
    // Names SQLite and JavaScript sort differently (code points against UTF-16 units) next to plain ones.
    const names = (i: number) => [`g${i % 7}`, `x\u{1F600}${i % 5}`, `x\uFFFD${i % 3}`][i % 3]!;
    const make = () =>
      [0, 1, 2].map((b) => Array.from({ length: 40 }, (_, k) => example(b * 40 + k, names(b * 40 + k))));
    const items = make().flat();
    const r = await store(streamed(make()));
    const { splits } = assignSplits(items, options);
    const expected = new Map(items.map((e, k) => [e.target, splits[k]!]));
    expect(storedSplits(r.datasetId!)).toEqual(expected);
    expect(new Set(splits)).toEqual(new Set(['train', 'validation', 'test']));
    // The same content hash as a dry run's whole-dataset path.
    const dry = await storeParsed(
      ctx,
      await collected(streamed(make())),
      { dryRun: true, options, sourcePath: null },
      new Problems(),
      () => {},
    );
    expect(r.contentHash).toBe(dry.contentHash);
    expect(r.officialSplits).toEqual([]);
    expect(ctx.store.stagedExamples.importIds()).toEqual([]);
  });

  it('keeps official splits and draws only the missing one (validation from train) by group', async () => {
    const make = () => [
      Array.from({ length: 30 }, (_, k) => example(k, `p${k % 10}`, 'train', `t${k}`)),
      Array.from({ length: 10 }, (_, k) => example(30 + k, `q${k % 4}`, 'test', `t${30 + k}`)),
    ];
    const r = await store(streamed(make()));
    const items = make().flat();
    const { splits, official } = assignSplits(items, options);
    expect(r.officialSplits).toEqual(official);
    expect(storedSplits(r.datasetId!)).toEqual(new Map(items.map((e, k) => [e.target, splits[k]!])));
    expect(r.splits).toEqual({ train: 27, validation: 3, test: 10 });
  });

  it('skips a record repeated in a later batch with the same message, its first record kept in the store', async () => {
    const first = example(0, 'a', undefined, 'same');
    const batches = [
      [first, example(1, 'b')],
      [example(2, 'c'), { ...first, ref: { file: FILE, id: 'same', line: 9 } }],
      // The same id with other content is another record, not a repeat.
      [{ ...example(3, 'd', undefined, 'same'), target: 'other' }],
    ];
    const staged = ctx.store.stagedExamples;
    const key = createHash('md5').update(`${FILE}\u0000same\u0000vqa`).digest('base64');
    const seen: unknown[] = [];
    const insertMany = staged.insertMany;
    const spy = vi.spyOn(staged, 'insertMany').mockImplementation((id, rows) => {
      seen.push(staged.firstRecords(id).get(key));
      insertMany(id, rows);
    });
    const problems = new Problems();
    try {
      const r = await store(streamed(batches), problems);
      expect(r.examples).toBe(4);
    } finally {
      spy.mockRestore();
    }
    // Batch by batch, the first record of the id is a row of the store, with its line.
    expect(seen).toEqual([
      expect.objectContaining({ line: 1 }),
      expect.objectContaining({ line: 1 }),
      expect.objectContaining({ line: 1 }),
    ]);
    expect(problems.skipped.map((s) => [s.id, s.line, s.reason])).toEqual([
      ['same', 9, 'duplicate of the record with the same id at line 1'],
    ]);
    expect(staged.importIds()).toEqual([]);
  });
});
