import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
});
