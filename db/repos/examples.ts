import type { Db } from '#db/connection';
import type { ExampleMeta, Split } from '#shared/domain/dataset';

/** One stored example, as training, evaluation and the browser read it. */
export interface ExampleRecord {
  readonly id: number;
  readonly datasetId: string;
  readonly split: Split;
  readonly ordinal: number;
  readonly task: string;
  /** sha256 of the image blob (read it with `BlobStore.read`), or null for text-only examples. */
  readonly imageHash: string | null;
  /** Prompt fields; `buildPrompt(task, inputs)` in shared/tasks.ts gives the source text. */
  readonly inputs: Readonly<Record<string, string>>;
  readonly target: string;
  /** Closed-answer candidates, or null (open answers; VQA uses the dataset's `meta.answerSet`). */
  readonly candidates: readonly string[] | null;
  readonly meta: ExampleMeta;
}

/** An example to insert (the dataset id and ordinal come from the import). */
export interface NewExample {
  readonly split: Split;
  readonly ordinal: number;
  readonly task: string;
  readonly imageHash: string | null;
  readonly inputs: Readonly<Record<string, string>>;
  readonly target: string;
  readonly candidates: readonly string[] | null;
  readonly meta: ExampleMeta;
}

interface Row {
  id: number;
  dataset_id: string;
  split: Split;
  ordinal: number;
  task: string;
  image_hash: string | null;
  inputs: string;
  target: string;
  candidates: string | null;
  meta: string;
}

const toRecord = (r: Row): ExampleRecord => ({
  id: r.id,
  datasetId: r.dataset_id,
  split: r.split,
  ordinal: r.ordinal,
  task: r.task,
  imageHash: r.image_hash,
  inputs: JSON.parse(r.inputs) as Record<string, string>,
  target: r.target,
  candidates: r.candidates === null ? null : (JSON.parse(r.candidates) as string[]),
  meta: JSON.parse(r.meta) as ExampleMeta,
});

/** Filter of `page`. */
export interface ExampleQuery {
  readonly split?: Split;
  readonly search?: string;
  readonly offset: number;
  readonly limit: number;
}

/** The examples aggregate. */
export function examplesRepo(db: Db) {
  const insert = db.prepare(
    `INSERT INTO examples (dataset_id, split, ordinal, task, image_hash, inputs, target, candidates, meta)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const where = (datasetId: string, q: { split?: Split; task?: string; search?: string }) => {
    const clauses = ['dataset_id = ?'];
    const params: unknown[] = [datasetId];
    if (q.split) {
      clauses.push('split = ?');
      params.push(q.split);
    }
    if (q.task) {
      clauses.push('task = ?');
      params.push(q.task);
    }
    if (q.search?.trim()) {
      clauses.push('(instr(lower(inputs), lower(?)) > 0 OR instr(lower(target), lower(?)) > 0)');
      params.push(q.search.trim(), q.search.trim());
    }
    return { sql: clauses.join(' AND '), params };
  };
  return {
    /** Inserts examples of one dataset (call inside the import's transaction). */
    insertMany(datasetId: string, rows: readonly NewExample[]): void {
      for (const e of rows) {
        insert.run(
          datasetId,
          e.split,
          e.ordinal,
          e.task,
          e.imageHash,
          JSON.stringify(e.inputs),
          e.target,
          e.candidates === null ? null : JSON.stringify(e.candidates),
          JSON.stringify(e.meta),
        );
      }
    },
    /**
     * Every example of a dataset (one split, or all), in split then ordinal order. Reads pages of
     * `pageSize` rows, so no statement stays open between yields (a half-consumed iterator never
     * blocks the connection). This is what training and evaluation read.
     */
    *iterate(datasetId: string, split?: Split, pageSize = 512): Generator<ExampleRecord> {
      const stmt = db.prepare(
        'SELECT * FROM examples WHERE dataset_id = ? AND split = ? AND ordinal >= ? ORDER BY ordinal LIMIT ?',
      );
      for (const s of split ? [split] : (['train', 'validation', 'test'] as const)) {
        let from = 0;
        for (;;) {
          const rows = stmt.all(datasetId, s, from, pageSize) as Row[];
          for (const row of rows) yield toRecord(row);
          if (rows.length < pageSize) break;
          from = rows.at(-1)!.ordinal + 1;
        }
      }
    },
    /** One page matching a filter, and the total that matched. */
    page(datasetId: string, q: ExampleQuery): { total: number; rows: ExampleRecord[] } {
      const { sql, params } = where(datasetId, q);
      const total = db
        .prepare(`SELECT COUNT(*) FROM examples WHERE ${sql}`)
        .pluck()
        .get(...params) as number;
      const rows = db
        .prepare(
          `SELECT * FROM examples WHERE ${sql}
           ORDER BY CASE split WHEN 'train' THEN 0 WHEN 'validation' THEN 1 ELSE 2 END, ordinal LIMIT ? OFFSET ?`,
        )
        .all(...params, q.limit, q.offset) as Row[];
      return { total, rows: rows.map(toRecord) };
    },
    get(id: number): ExampleRecord | undefined {
      const row = db.prepare('SELECT * FROM examples WHERE id = ?').get(id) as Row | undefined;
      return row ? toRecord(row) : undefined;
    },
    /** Examples of one split in stored order (optionally of one task): what a worker trains on. */
    list(datasetId: string, split: Split, task?: string): ExampleRecord[] {
      const { sql, params } = where(datasetId, task ? { split, task } : { split });
      return (
        db.prepare(`SELECT * FROM examples WHERE ${sql} ORDER BY ordinal, id`).all(...params) as Row[]
      ).map(toRecord);
    },
    count(datasetId: string, split?: Split, task?: string): number {
      const { sql, params } = where(datasetId, { ...(split ? { split } : {}), ...(task ? { task } : {}) });
      return db
        .prepare(`SELECT COUNT(*) FROM examples WHERE ${sql}`)
        .pluck()
        .get(...params) as number;
    },
    /** Examples per task and split. */
    taskCounts(datasetId: string): Record<string, Record<string, number>> {
      const rows = db
        .prepare('SELECT task, split, COUNT(*) AS n FROM examples WHERE dataset_id = ? GROUP BY task, split')
        .all(datasetId) as { task: string; split: string; n: number }[];
      const out: Record<string, Record<string, number>> = {};
      for (const r of rows) {
        const t = out[r.task] ?? {};
        t[r.split] = r.n;
        out[r.task] = t;
      }
      return out;
    },
    /** Target histogram of closed-answer examples (most frequent `limit`). */
    labelHistogram(datasetId: string, limit = 100): Record<string, number> {
      const rows = db
        .prepare(
          `SELECT target, COUNT(*) AS n FROM examples
           WHERE dataset_id = ? AND (candidates IS NOT NULL OR json_extract(meta, '$.answerType') = 'closed')
           GROUP BY target ORDER BY n DESC, target LIMIT ?`,
        )
        .all(datasetId, limit) as { target: string; n: number }[];
      return Object.fromEntries(rows.map((r) => [r.target, r.n]));
    },
    /** Examples per `meta.answerType`. */
    answerTypeHistogram(datasetId: string): Record<string, number> {
      const rows = db
        .prepare(
          `SELECT json_extract(meta, '$.answerType') AS t, COUNT(*) AS n FROM examples
           WHERE dataset_id = ? AND json_extract(meta, '$.answerType') IS NOT NULL GROUP BY t`,
        )
        .all(datasetId) as { t: string; n: number }[];
      return Object.fromEntries(rows.map((r) => [r.t, r.n]));
    },
    /** Rows in the whole store and the highest id (tests prove a refused import wrote nothing). */
    totals(): { n: number; maxId: number } {
      return db.prepare('SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS maxId FROM examples').get() as {
        n: number;
        maxId: number;
      };
    },
    /** Distinct images used by a dataset. */
    imageCount(datasetId: string): number {
      return db
        .prepare(
          'SELECT COUNT(DISTINCT image_hash) FROM examples WHERE dataset_id = ? AND image_hash IS NOT NULL',
        )
        .pluck()
        .get(datasetId) as number;
    },
  };
}

export type ExamplesRepo = ReturnType<typeof examplesRepo>;
