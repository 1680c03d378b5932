import type { Db } from '#db/connection';
import type { PredictionView } from '#shared/domain/evaluation';

/** One decoded answer to store. */
export interface PredictionWrite {
  readonly exampleId: number;
  readonly source: string;
  readonly prediction: string;
  readonly reference: string;
  readonly correct: boolean | null;
  readonly score: number | null;
  /** Per-candidate scores (all-candidate decoding), in the order of the candidate list. */
  readonly scores?: readonly number[] | null;
}

/** What the metric computation reads back. */
export interface PredictionForMetrics {
  readonly exampleId: number;
  readonly prediction: string;
  readonly reference: string;
  readonly answerType: string | null;
  readonly candidates: readonly string[] | null;
  readonly scores: readonly number[] | null;
}

interface PageRow {
  example_id: number;
  ordinal: number;
  source: string;
  inputs: string;
  image_hash: string | null;
  prediction: string;
  reference: string;
  correct: number | null;
  score: number | null;
  meta: string;
}

const answerTypeOf = (meta: string): string | null => {
  const m = JSON.parse(meta) as Record<string, unknown>;
  const t = m['answerType'] ?? m['answer_type'];
  return typeof t === 'string' ? t : null;
};

/** Every prediction of an evaluation, beside its reference and (by join) its example's inputs. */
export function predictionsRepo(db: Db) {
  const insert = db.prepare(
    `INSERT OR REPLACE INTO predictions (evaluation_id, example_id, source, prediction, reference, correct, score, scores)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const writeBatch = db.transaction((evaluationId: string, rows: readonly PredictionWrite[]) => {
    for (const p of rows) {
      insert.run(
        evaluationId,
        p.exampleId,
        p.source,
        p.prediction,
        p.reference,
        p.correct === null ? null : p.correct ? 1 : 0,
        p.score,
        p.scores ? JSON.stringify(p.scores) : null,
      );
    }
  });
  return {
    /** Stores a batch atomically. */
    append(evaluationId: string, rows: readonly PredictionWrite[]): void {
      if (rows.length > 0) writeBatch(evaluationId, rows);
    },
    count(evaluationId: string): number {
      return (
        db.prepare('SELECT COUNT(*) AS n FROM predictions WHERE evaluation_id = ?').get(evaluationId) as {
          n: number;
        }
      ).n;
    },
    /** The task of the examples an evaluation predicted (undefined before its first prediction). */
    task(evaluationId: string): string | undefined {
      return db
        .prepare(
          'SELECT x.task FROM predictions p JOIN examples x ON x.id = p.example_id WHERE p.evaluation_id = ? LIMIT 1',
        )
        .pluck()
        .get(evaluationId) as string | undefined;
    },
    /** Example ids already predicted (an interrupted evaluation resumes after them). */
    doneExampleIds(evaluationId: string): Set<number> {
      const rows = db
        .prepare('SELECT example_id FROM predictions WHERE evaluation_id = ?')
        .all(evaluationId) as {
        example_id: number;
      }[];
      return new Set(rows.map((r) => r.example_id));
    },
    page(
      evaluationId: string,
      q: {
        offset: number;
        limit: number;
        onlyWrong?: boolean;
        correct?: 'all' | 'correct' | 'wrong';
        answerType?: string;
      },
    ): { total: number; predictions: PredictionView[]; answerTypes: string[] } {
      const which = q.onlyWrong ? 'wrong' : (q.correct ?? 'all');
      const answerType =
        "COALESCE(json_extract(x.meta, '$.answerType'), json_extract(x.meta, '$.answer_type'))";
      const args: (string | number)[] = [evaluationId];
      let filter = which === 'wrong' ? 'AND p.correct = 0' : which === 'correct' ? 'AND p.correct = 1' : '';
      if (q.answerType !== undefined) {
        filter += ` AND ${answerType} = ?`;
        args.push(q.answerType);
      }
      const from = 'FROM predictions p JOIN examples x ON x.id = p.example_id WHERE p.evaluation_id = ?';
      const total = (db.prepare(`SELECT COUNT(*) AS n ${from} ${filter}`).get(...args) as { n: number }).n;
      const answerTypes = (
        db
          .prepare(`SELECT DISTINCT ${answerType} AS t ${from} AND ${answerType} IS NOT NULL ORDER BY t`)
          .all(evaluationId) as { t: string }[]
      ).map((r) => String(r.t));
      const rows = db
        .prepare(
          `SELECT p.example_id, x.ordinal, p.source, x.inputs, x.image_hash, p.prediction, p.reference, p.correct, p.score, x.meta
           ${from} ${filter} ORDER BY x.ordinal LIMIT ? OFFSET ?`,
        )
        .all(...args, q.limit, q.offset) as PageRow[];
      return {
        total,
        answerTypes,
        predictions: rows.map((r) => ({
          exampleId: r.example_id,
          ordinal: r.ordinal,
          source: r.source,
          inputs: JSON.parse(r.inputs) as Record<string, string>,
          imageHash: r.image_hash,
          prediction: r.prediction,
          reference: r.reference,
          correct: r.correct === null ? null : r.correct === 1,
          score: r.score,
          answerType: answerTypeOf(r.meta),
        })),
      };
    },
    /** All predictions in example order, with what the metrics need. */
    forMetrics(evaluationId: string): PredictionForMetrics[] {
      const rows = db
        .prepare(
          `SELECT p.example_id, p.prediction, p.reference, p.scores, x.meta, x.candidates
           FROM predictions p JOIN examples x ON x.id = p.example_id
           WHERE p.evaluation_id = ? ORDER BY x.ordinal, x.id`,
        )
        .all(evaluationId) as {
        example_id: number;
        prediction: string;
        reference: string;
        scores: string | null;
        meta: string;
        candidates: string | null;
      }[];
      return rows.map((r) => ({
        exampleId: r.example_id,
        prediction: r.prediction,
        reference: r.reference,
        answerType: answerTypeOf(r.meta),
        candidates: r.candidates ? (JSON.parse(r.candidates) as string[]) : null,
        scores: r.scores ? (JSON.parse(r.scores) as number[]) : null,
      }));
    },
  };
}

export type PredictionsRepo = ReturnType<typeof predictionsRepo>;
