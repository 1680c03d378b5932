import { describe, expect, it } from 'vitest';
import { parseSeeds, recipeDraft, recipeSource, validateHyper } from './hyper-draft';

describe('hyperparameter draft', () => {
  it('pre-fills the spec recipe of a task', () => {
    const d = recipeDraft('vqa', 1797, true);
    expect(d.lr).toBe('0.00005');
    expect(d.warmupRatio).toBe('0.04');
    expect(d.labelSmoothing).toBe('0.1');
    expect(Number(d.steps)).toBeLessThanOrEqual(200);
    expect(validateHyper(d).values?.lr).toBe(5e-5);
  });
  it('suggests the CPU rungs recipe for CPU rungs from random weights, the one biomed demo trains (issue 25)', () => {
    for (const scales of [['cpu-xs'], ['cpu-m'], ['cpu-xs', 'cpu-s', 'cpu-m']] as const) {
      const d = recipeDraft('vqa', 3000, true, { scales });
      expect([d.lr, d.steps, d.batchSize, d.warmupRatio]).toEqual(['0.00016', '240', '8', '0.1']);
    }
    // a tiny dataset: no more steps than the task's epochs over it
    expect(recipeDraft('vqa', 8, true, { scales: ['cpu-s'] }).steps).toBe('100');
    // blank: the engine's default, valid only where the form allows it
    const blank = { ...recipeDraft('vqa', 900, true, { scales: ['cpu-xs', 'cpu-s'] }), lr: '' };
    expect(validateHyper(blank, { lrPerRung: true }).values?.lr).toBeUndefined();
    expect(validateHyper(blank, { lrPerRung: true }).values).not.toBeNull();
    expect(validateHyper(blank).errors.lr).toBe('Learning rate must be a number');
    // from a checkpoint or on a paper scale: the task's fine-tuning recipe
    expect(recipeDraft('vqa', 900, true, null).lr).toBe('0.00005');
    expect(recipeDraft('vqa', 900, true, null).warmupRatio).toBe('0.04');
    expect(recipeDraft('vqa', 900, false, { scales: ['Base'] }).lr).toBe('0.00005');
    expect(recipeSource('vqa', { scales: ['cpu-s'] })).toMatch(/^the CPU rungs' recipe .* biomed demo/);
    expect(recipeSource('vqa', null)).not.toMatch(/CPU rungs/);
  });
  it('names each invalid field in words', () => {
    const d = { ...recipeDraft('vqa', 100, true), lr: 'fast', batchSize: '2.5', warmupRatio: '3' };
    const { values, errors } = validateHyper(d);
    expect(values).toBeNull();
    expect(errors.lr).toBe('Learning rate must be a number');
    expect(errors.batchSize).toBe('Batch size must be a whole number');
    expect(errors.warmupRatio).toBe('Warmup ratio must be between 0 and 1');
    expect(errors.steps).toBeUndefined();
  });
  it('parses seed lists and ranges', () => {
    expect(parseSeeds('1, 2,2, 5-7').seeds).toEqual([1, 2, 5, 6, 7]);
    expect(parseSeeds('x').error).toMatch(/not a seed/);
    expect(parseSeeds(' ').error).toMatch(/at least one/);
    expect(parseSeeds('9-1').seeds).toBeNull();
  });
});
