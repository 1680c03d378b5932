import type { DatasetSummary } from '#shared/domain/dataset';
import type { Db } from '../connection';

/** The datasets aggregate (library listing; importers add examples and blobs). */
export function datasetsRepo(db: Db) {
  return {
    list(): DatasetSummary[] {
      const rows = db
        .prepare(
          `SELECT d.id, d.name, d.format, d.task, d.synthetic, d.created_at,
                  (SELECT json_group_object(split, n) FROM
                     (SELECT split, COUNT(*) AS n FROM examples e WHERE e.dataset_id = d.id GROUP BY split)) AS splits
           FROM datasets d ORDER BY d.created_at DESC, d.name`,
        )
        .all() as {
        id: string;
        name: string;
        format: string;
        task: string;
        synthetic: number;
        created_at: string;
        splits: string | null;
      }[];
      return rows.map((r) => {
        const splits = JSON.parse(r.splits ?? '{}') as Record<string, number>;
        return {
          id: r.id,
          name: r.name,
          format: r.format,
          task: r.task,
          synthetic: r.synthetic === 1,
          examples: Object.values(splits).reduce((a, b) => a + b, 0),
          splits,
          createdAt: r.created_at,
        };
      });
    },
  };
}

export type DatasetsRepo = ReturnType<typeof datasetsRepo>;
