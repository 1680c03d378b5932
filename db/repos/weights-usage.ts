import type { Db } from '#db/connection';

/** Where imported weights are used: runs started from them, evaluations decoded with them. */
export function weightsUsageRepo(db: Db) {
  return {
    /** Ids of runs whose config names these weights as initial weights (`initWeightsId`). */
    runIds(weightsId: string): string[] {
      return (
        db
          .prepare(
            "SELECT id FROM runs WHERE json_extract(config, '$.initWeightsId') = ? ORDER BY created_at",
          )
          .all(weightsId) as { id: string }[]
      ).map((r) => r.id);
    },
    /** Runs and evaluations using these weights that are queued or running (deleting would break them). */
    active(weightsId: string): number {
      const runs = db
        .prepare(
          "SELECT COUNT(*) AS n FROM runs WHERE json_extract(config, '$.initWeightsId') = ? AND status IN ('queued', 'running')",
        )
        .get(weightsId) as { n: number };
      const evals = db
        .prepare(
          "SELECT COUNT(*) AS n FROM evaluations WHERE weights_id = ? AND status IN ('queued', 'running')",
        )
        .get(weightsId) as { n: number };
      return runs.n + evals.n;
    },
  };
}
