import { describe, expect, it } from 'vitest';
import type { PredictionView } from '#shared/domain/evaluation';
import { joinPredictions } from './join-predictions';

const p = (exampleId: number, prediction: string): PredictionView => ({
  exampleId,
  ordinal: exampleId,
  source: `q${exampleId}`,
  inputs: { question: `question ${exampleId}` },
  imageHash: null,
  prediction,
  reference: 'yes',
  correct: prediction === 'yes',
  score: null,
  answerType: 'closed',
});

describe('joinPredictions', () => {
  it('lines runs up by example and filters to disagreements ignoring case and spaces', () => {
    const a = [p(1, 'yes'), p(2, 'no'), p(3, 'Left  lung')];
    const b = [p(2, 'yes'), p(1, 'YES'), p(3, 'left lung')];
    const all = joinPredictions([a, b, null], false);
    expect(all.map((x) => x.exampleId)).toEqual([1, 2, 3]);
    expect(all[1]?.predictions.map((x) => x?.prediction ?? null)).toEqual(['no', 'yes', null]);
    expect(all[0]?.question).toBe('question 1');
    expect(joinPredictions([a, b], true).map((x) => x.exampleId)).toEqual([2]);
  });
});
