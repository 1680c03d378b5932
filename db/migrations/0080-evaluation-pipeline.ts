import type { Migration } from './types';

/**
 * Each evaluation records how its figures were computed (shared/domain/evaluation.ts
 * `EvaluationPipeline`, JSON): normalisation, metric variants, the released script followed.
 * Evaluations stored before this have NULL (raw-text figures).
 */
export const evaluationPipeline: Migration = {
  version: 80,
  name: 'evaluation-pipeline',
  up(db) {
    db.exec('ALTER TABLE evaluations ADD COLUMN pipeline TEXT');
  },
};
