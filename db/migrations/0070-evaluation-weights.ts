import type { Migration } from './types';

/**
 * Zero-shot evaluations straight from imported weights, without a run: the evaluation names the
 * weights it decoded with (kept, with its predictions, when the weights are deleted).
 */
export const evaluationWeights: Migration = {
  version: 70,
  name: 'evaluation-weights',
  up(db) {
    db.exec(`
      ALTER TABLE evaluations ADD COLUMN weights_id TEXT REFERENCES weights(id) ON DELETE SET NULL;
      CREATE INDEX evaluations_weights ON evaluations(weights_id);
    `);
  },
};
