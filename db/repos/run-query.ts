import type { z } from 'zod';
import type { RunListQuery } from '#shared/api/runs';

/** `runs.list` input after validation, defaults applied. */
export type RunQuery = z.output<typeof RunListQuery>;

const SORT_COLUMNS: Record<string, string> = {
  createdAt: 'r.created_at',
  name: 'r.name',
  status: 'r.status',
  scale: 'r.scale',
  task: 'r.task',
  dataset: 'd.name',
  bestMetric: 'r.best_metric',
  params: 'r.params',
};

/** Sort columns declared NOT NULL in the runs table. */
const NOT_NULL_COLUMNS = new Set(['r.created_at', 'r.name', 'r.status', 'r.scale', 'r.task']);

/** Builds the WHERE and ORDER BY of `runs.list`; values are bound, never interpolated. */
export function buildRunQuery(q: RunQuery): { where: string; order: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const inList = (column: string, values: readonly string[] | undefined) => {
    if (!values || values.length === 0) return;
    clauses.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  inList('r.status', q.status);
  inList('r.task', q.task);
  inList('r.scale', q.scale);
  inList('r.dataset_id', q.datasetId);
  if (q.tag && q.tag.length > 0) {
    clauses.push(
      `EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.tag IN (${q.tag.map(() => '?').join(', ')}))`,
    );
    params.push(...q.tag);
  }
  if (q.starred !== undefined) {
    clauses.push('r.starred = ?');
    params.push(q.starred ? 1 : 0);
  }
  if (q.experimentId) {
    clauses.push('r.experiment_id = ?');
    params.push(q.experimentId);
  }
  if (q.createdAfter) {
    clauses.push('r.created_at >= ?');
    params.push(q.createdAfter);
  }
  if (q.createdBefore) {
    clauses.push('r.created_at < ?');
    params.push(q.createdBefore);
  }
  if (q.search?.trim()) {
    const like = `%${q.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    clauses.push(
      `(r.name LIKE ? ESCAPE '\\' OR r.id LIKE ? ESCAPE '\\' OR d.name LIKE ? ESCAPE '\\' OR n.body LIKE ? ESCAPE '\\')`,
    );
    params.push(like, like, like, like);
  }
  const dir = q.order === 'asc' ? 'ASC' : 'DESC';
  let order: string;
  if (q.sort.startsWith('metric:')) {
    // Best (max) value of that metric; runs without it sort last either way.
    order = `(SELECT MAX(m.value) FROM metrics m WHERE m.run_id = r.id AND m.name = ?) IS NULL, (SELECT MAX(m.value) FROM metrics m WHERE m.run_id = r.id AND m.name = ?) ${dir}, r.created_at DESC`;
    const name = q.sort.slice('metric:'.length);
    params.push(name, name);
  } else {
    const column = SORT_COLUMNS[q.sort] ?? 'r.created_at';
    // NOT NULL columns skip the `IS NULL` term so SQLite can walk an index (runs_created)
    // and stop after the page instead of sorting every run (17 ms -> <1 ms at 10,000 runs).
    order = NOT_NULL_COLUMNS.has(column)
      ? `${column} ${dir}, r.id ${dir}`
      : `${column} IS NULL, ${column} ${dir}, r.id ${dir}`;
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', order, params };
}
