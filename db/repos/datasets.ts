import { type Db, nowIso } from '#db/connection';
import type { DatasetSummary } from '#shared/domain/dataset';

/** A dataset row to insert. */
export interface NewDataset {
  readonly id: string;
  readonly name: string;
  readonly format: string;
  readonly task: string;
  readonly sourcePath: string | null;
  readonly contentHash: string;
  readonly synthetic: boolean;
  readonly meta: Readonly<Record<string, unknown>>;
}

/** A dataset row with its metadata. */
export interface DatasetRecord extends DatasetSummary {
  readonly sourcePath: string | null;
  readonly contentHash: string;
  readonly meta: Record<string, unknown>;
}

interface Row {
  id: string;
  name: string;
  format: string;
  task: string;
  source_path: string | null;
  content_hash: string;
  synthetic: number;
  meta: string;
  created_at: string;
  splits: string | null;
}

const SELECT = `SELECT d.*,
  (SELECT json_group_object(split, n) FROM
     (SELECT split, COUNT(*) AS n FROM examples e WHERE e.dataset_id = d.id GROUP BY split)) AS splits
  FROM datasets d`;

const toSummary = (r: Row): DatasetSummary => {
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
};

/** The datasets aggregate (library listing, import, delete). */
export function datasetsRepo(db: Db) {
  return {
    list(): DatasetSummary[] {
      return (db.prepare(`${SELECT} ORDER BY d.created_at DESC, d.name`).all() as Row[]).map(toSummary);
    },
    get(id: string): DatasetRecord | undefined {
      const r = db.prepare(`${SELECT} WHERE d.id = ?`).get(id) as Row | undefined;
      if (!r) return undefined;
      return {
        ...toSummary(r),
        sourcePath: r.source_path,
        contentHash: r.content_hash,
        meta: JSON.parse(r.meta) as Record<string, unknown>,
      };
    },
    /** The dataset holding exactly this content, if it was imported before. */
    findByContentHash(hash: string): string | undefined {
      return db.prepare('SELECT id FROM datasets WHERE content_hash = ?').pluck().get(hash) as
        | string
        | undefined;
    },
    /** Inserts the row (call inside the import's transaction, before its examples). */
    insert(d: NewDataset): void {
      db.prepare(
        `INSERT INTO datasets (id, name, format, task, source_path, content_hash, synthetic, meta, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        d.id,
        d.name,
        d.format,
        d.task,
        d.sourcePath,
        d.contentHash,
        d.synthetic ? 1 : 0,
        JSON.stringify(d.meta),
        nowIso(),
      );
    },
    /** Deletes the dataset and (by cascade) its examples; returns the number of examples. */
    delete(id: string): number {
      const n = db.prepare('SELECT COUNT(*) FROM examples WHERE dataset_id = ?').pluck().get(id) as number;
      db.prepare('DELETE FROM datasets WHERE id = ?').run(id);
      return n;
    },
    /** The synthetic dataset a demo generator wrote (`meta.demoId`), if it is there. */
    findDemo(demoId: string): string | undefined {
      return db
        .prepare("SELECT id FROM datasets WHERE synthetic = 1 AND json_extract(meta, '$.demoId') = ?")
        .pluck()
        .get(demoId) as string | undefined;
    },
    /** How many runs and evaluations use the dataset (a delete needs `force` when any do). */
    usage(id: string): { runs: number; evaluations: number } {
      return db
        .prepare(
          `SELECT (SELECT COUNT(*) FROM runs WHERE dataset_id = ?) AS runs,
                  (SELECT COUNT(*) FROM evaluations WHERE dataset_id = ?) AS evaluations`,
        )
        .get(id, id) as { runs: number; evaluations: number };
    },
    exists(id: string): boolean {
      return db.prepare('SELECT 1 FROM datasets WHERE id = ?').get(id) !== undefined;
    },
  };
}

export type DatasetsRepo = ReturnType<typeof datasetsRepo>;
