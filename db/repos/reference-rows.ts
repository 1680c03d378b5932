import { randomUUID } from 'node:crypto';
import { type Db, nowIso } from '#db/connection';
import type { ReferenceRow } from '#shared/domain/reference-row';

/** A validated row to store (defaults applied). */
export type NewReferenceRow = Omit<ReferenceRow, 'id' | 'origin' | 'createdAt'>;

interface Row {
  id: string;
  model: string;
  family: string | null;
  scale: string | null;
  params: number | null;
  dataset: string;
  task: string | null;
  split: string;
  mode: string;
  metric: string;
  metric_label: string | null;
  value: number;
  value_text: string | null;
  n: number | null;
  citation: string;
  url: string | null;
  as_quoted: number;
  note: string;
  created_at: string;
}

const toRow = (r: Row): ReferenceRow =>
  ({
    id: r.id,
    origin: 'user',
    model: r.model,
    family: r.family,
    scale: r.scale,
    params: r.params,
    dataset: r.dataset,
    task: r.task,
    split: r.split,
    mode: r.mode,
    metric: r.metric,
    metricLabel: r.metric_label,
    value: r.value,
    valueText: r.value_text,
    n: r.n,
    citation: r.citation,
    url: r.url,
    asQuoted: r.as_quoted === 1,
    note: r.note,
    createdAt: r.created_at,
  }) as ReferenceRow;

/** The user's reference rows (published ones live in shared/reference/published.ts). */
export function referenceRowsRepo(db: Db) {
  return {
    list(): ReferenceRow[] {
      return (
        db.prepare('SELECT * FROM reference_rows ORDER BY dataset, model, created_at').all() as Row[]
      ).map(toRow);
    },
    get(id: string): ReferenceRow | undefined {
      const r = db.prepare('SELECT * FROM reference_rows WHERE id = ?').get(id) as Row | undefined;
      return r ? toRow(r) : undefined;
    },
    insert(row: NewReferenceRow): ReferenceRow {
      const id = randomUUID();
      db.prepare(
        `INSERT INTO reference_rows (id, model, family, scale, params, dataset, task, split, mode, metric,
           metric_label, value, value_text, n, citation, url, as_quoted, note, created_at)
         VALUES (@id, @model, @family, @scale, @params, @dataset, @task, @split, @mode, @metric,
           @metricLabel, @value, @valueText, @n, @citation, @url, @asQuoted, @note, @createdAt)`,
      ).run({ ...row, id, asQuoted: row.asQuoted ? 1 : 0, createdAt: nowIso() });
      return this.get(id)!;
    },
    /** Removes a row; false when there was none. */
    delete(id: string): boolean {
      return db.prepare('DELETE FROM reference_rows WHERE id = ?').run(id).changes > 0;
    },
  };
}

export type ReferenceRowsRepo = ReturnType<typeof referenceRowsRepo>;
