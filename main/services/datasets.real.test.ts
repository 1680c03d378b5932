import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshWorkbench, sharedData } from './test-workbench';

// The real benchmark files in ../shared/data, imported through the API as the app does.
let ctx: ReturnType<typeof freshWorkbench>;
beforeAll(() => {
  ctx = freshWorkbench();
});
afterAll(() => ctx.close());

const importPath = (path: string, extra: Record<string, unknown> = {}) =>
  ctx.invoke('datasets.import', { path, ...extra });
const get = (id: string) => ctx.invoke('datasets.get', { id });

describe('real benchmark files', () => {
  it('VQA-RAD: 2,248 QA over the images present, 451 test, CLOSED/OPEN preserved', async () => {
    const r = await importPath(sharedData('vqa_rad'));
    expect(r.format).toBe('vqa-rad');
    expect(r.examples).toBe(2248);
    expect(r.splits.test).toBe(451);
    expect(r.splits.train + r.splits.validation).toBe(1797);
    expect(r.officialSplits).toEqual(['train', 'test']);
    expect(r.images.total).toBe(314);
    const d = await get(r.datasetId!);
    expect(d.answerTypes).toEqual({ closed: 1299, open: 949 });
    // The "allcand" answer set after lower-casing and tab stripping: the 517 answers of the repo's pickle (spec §2.2).
    expect((d.meta['answerSet'] as string[]).length).toBe(517);
    expect(d.tasks).toEqual({ vqa: { train: r.splits.train, validation: r.splits.validation, test: 451 } });
    const page = await ctx.invoke('datasets.examples', { id: r.datasetId!, split: 'test', limit: 5 });
    expect(page.total).toBe(451);
    const ex = page.examples[0]!;
    expect(ex.prompt).toMatch(/^ [a-z0-9 ,.'"()]+\? object: (head|chest|abd)$/);
    expect(ex.thumbnail).toMatch(/^data:image\/webp;base64,/);
    // No image is shared between the drawn validation split and train.
    const rows = [...ctx.store.examples.iterate(r.datasetId!)]
      .filter((e) => e.split !== 'test')
      .map((e) => ({ split: e.split, h: e.imageHash! }));
    const byImage = new Map<string, Set<string>>();
    for (const row of rows) byImage.set(row.h, (byImage.get(row.h) ?? new Set()).add(row.split));
    expect([...byImage.values()].every((s) => s.size === 1)).toBe(true);
    // Re-importing the same data is detected by content hash.
    const again = await importPath(sharedData('vqa_rad'));
    expect(again.duplicateOf).toBe(r.datasetId);
    expect(ctx.store.datasets.list().filter((x) => x.format === 'vqa-rad')).toHaveLength(1);
  });

  it('PubMedQA: 1,000 questions (552 yes / 338 no / 110 maybe) and the 500 official test PMIDs', async () => {
    const r = await importPath(sharedData('pubmedqa'));
    expect(r.format).toBe('pubmedqa');
    expect(r.examples).toBe(1000);
    expect(r.splits.test).toBe(500);
    const d = await get(r.datasetId!);
    expect(d.labels).toEqual({ yes: 552, no: 338, maybe: 110 });
    const truth = Object.keys(
      JSON.parse(
        (await import('node:fs')).readFileSync(sharedData('pubmedqa', 'test_ground_truth.json'), 'utf8'),
      ) as Record<string, string>,
    ).sort();
    const testIds = [...ctx.store.examples.iterate(r.datasetId!, 'test')]
      .map((e) => String(e.meta['sourceId']))
      .sort();
    expect(testIds).toEqual(truth);
  });

  it('MeQSum: 1,000 question/summary pairs from the .xlsx', async () => {
    const r = await importPath(sharedData('meqsum', 'MeQSum_ACL2019_BenAbacha_Demner-Fushman.xlsx'));
    expect(r.format).toBe('meqsum');
    expect(r.examples).toBe(1000);
    expect(r.splits).toEqual({ train: 800, validation: 100, test: 100 });
    const first = ctx.store.examples.iterate(r.datasetId!).next().value!;
    expect(first.task).toBe('summarization');
    expect(first.inputs['source']!.length).toBeGreaterThan(first.target.length);
  });

  it('PneumoniaMNIST: 3,882 / 524 / 624 with label names', async () => {
    const r = await importPath(sharedData('medmnist_pneumonia', 'pneumoniamnist.npz'));
    expect(r.format).toBe('medmnist');
    expect(r.splits).toEqual({ train: 3882, validation: 524, test: 624 });
    expect(r.officialSplits).toEqual(['train', 'validation', 'test']);
    const d = await get(r.datasetId!);
    expect(d.labels).toEqual({ pneumonia: 3494 + 389 + 390, normal: 388 + 135 + 234 });
    const img = await ctx.invoke('datasets.image', {
      hash: ctx.store.examples.iterate(r.datasetId!, 'test').next().value!.imageHash,
    });
    expect([img.width, img.height]).toEqual([28, 28]);
    expect(img.dataUrl).toMatch(/^data:image\/png;base64,/);
  });

  it('deleting a dataset removes its examples and the images no other dataset uses', async () => {
    const before = ctx.store.blobs.count();
    const id = ctx.store.datasets.list().find((d) => d.format === 'medmnist')!.id;
    const r = await ctx.invoke('datasets.delete', { id });
    expect(r.examples).toBe(5030);
    expect(r.blobsRemoved).toBeGreaterThan(4900);
    expect(ctx.store.blobs.count()).toBe(before - r.blobsRemoved);
  });
});
