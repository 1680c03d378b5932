import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_VQA_IMAGES } from '#main/data/demo/index';
import { ensureDemoDatasets } from './demo-datasets';
import { freshWorkbench } from './test-workbench';

let ctx: ReturnType<typeof freshWorkbench>;
beforeEach(() => {
  ctx = freshWorkbench();
});
afterEach(() => ctx.close());

describe('ensureDemoDatasets', () => {
  it('imports one synthetic dataset per task type into a fresh folder, once, in seconds', async () => {
    const started = performance.now();
    const ids = await ensureDemoDatasets(ctx);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(ids).toHaveLength(7);
    const list = ctx.store.datasets.list();
    expect(list.every((d) => d.synthetic && d.examples >= 300)).toBe(true);
    expect(new Set(list.map((d) => d.task)).size).toBe(7);
    expect(await ensureDemoDatasets(ctx)).toEqual([]); // library not empty: nothing to do
    expect(await ensureDemoDatasets(ctx, { onlyIfEmpty: false })).toEqual(ids);
    expect(ctx.store.datasets.list()).toHaveLength(7);
  });

  it('gives the VQA demo enough test questions for the demo ladder to separate (issue 25)', async () => {
    await ensureDemoDatasets(ctx);
    const vqa = ctx.store.datasets.findDemo('phantom-vqa-counts')!;
    const test = ctx.store.examples.page(vqa, { split: 'test', offset: 0, limit: 1 }).total;
    // ~450 questions: a 95% CI half-width of ~0.04 on accuracy (115 gave ~0.09, too wide to separate rungs)
    expect(test).toBeGreaterThanOrEqual(400);
    // and not so many that scoring three rungs eats the demo's 90 s
    expect(test).toBeLessThanOrEqual(800);
    expect(ctx.store.examples.imageCount(vqa)).toBe(DEMO_VQA_IMAGES);
  });
});
