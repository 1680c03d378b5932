import { describe, expect, it } from 'vitest';
import { ExperimentRequest } from '#shared/domain/experiment';
import { recipeDraft, validateHyper } from './hyper-draft';
import { defaultName, type ExperimentForm, toCreateInput } from './to-create-input';

const hyper = validateHyper(recipeDraft('vqa', 1797, true)).values!;
const form: ExperimentForm = {
  name: '',
  task: 'vqa',
  weights: new Map([
    ['d1', 1],
    ['d2', 1],
  ]),
  scales: ['cpu-xs', 'cpu-s'],
  seeds: [1, 2],
  init: '',
  hyper,
  evaluateSplit: 'test',
  evaluateLimit: 50,
};

describe('toCreateInput', () => {
  it('makes a request the API schema accepts, sweeping datasets, scales and seeds', () => {
    const req = toCreateInput(
      form,
      defaultName(form, (id) => id.toUpperCase()),
    );
    const parsed = ExperimentRequest.parse(req);
    expect(parsed.name).toBe('D1 + D2 cpu-xs/cpu-s');
    expect(parsed.sweep).toEqual({ scales: ['cpu-xs', 'cpu-s'], datasets: ['d1', 'd2'], seeds: [1, 2] });
    expect(parsed.evaluate).toMatchObject({ split: 'test', limit: 50 });
    expect(parsed.init).toEqual({ type: 'none' });
  });
  it('sends a single run without a sweep and a mixture for instruction tuning', () => {
    const single = toCreateInput(
      { ...form, weights: new Map([['d1', 1]]), scales: ['cpu-xs'], seeds: [3], init: 'r1' },
      'x',
    );
    expect(single.sweep).toBeUndefined();
    expect(single.init).toEqual({ type: 'run', runId: 'r1' });
    const fromWeights = toCreateInput(
      { ...form, weights: new Map([['d1', 1]]), scales: ['S'], init: 'weights:w9' },
      'x',
    );
    expect(fromWeights.init).toEqual({ type: 'weights', weightsId: 'w9' });
    expect(single.hyperparameters?.seed).toBe(3);
    const mix = toCreateInput(
      {
        ...form,
        task: 'instruction',
        weights: new Map([
          ['a', 2],
          ['b', 1],
        ]),
      },
      'm',
    );
    expect(ExperimentRequest.parse(mix).datasets).toEqual([
      { datasetId: 'a', weight: 2 },
      { datasetId: 'b', weight: 1 },
    ]);
    expect(mix.sweep?.datasets).toBeUndefined();
  });
});
