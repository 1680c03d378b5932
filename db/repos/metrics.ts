import type { Db } from '#db/connection';
import type { MetricPoint, MetricSeries } from '#shared/domain/metric';

/** One metric value to store. */
export interface MetricWrite {
  readonly runId: string;
  readonly name: string;
  readonly step: number;
  readonly value: number;
  readonly wallTime: number;
}

/** Metric series of runs; written in batches, one transaction per batch. */
export function metricsRepo(db: Db) {
  const insert = db.prepare(
    'INSERT OR REPLACE INTO metrics (run_id, name, step, value, wall_time) VALUES (?, ?, ?, ?, ?)',
  );
  const writeBatch = db.transaction((points: readonly MetricWrite[]) => {
    for (const p of points) insert.run(p.runId, p.name, p.step, p.value, p.wallTime);
  });
  return {
    /** Stores points atomically: all of the batch or none of it. */
    append(points: readonly MetricWrite[]): void {
      if (points.length > 0) writeBatch(points);
    },

    names(runId: string): string[] {
      return (
        db.prepare('SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name').all(runId) as {
          name: string;
        }[]
      ).map((r) => r.name);
    },

    series(runId: string, names?: readonly string[]): MetricSeries[] {
      const wanted = names && names.length > 0 ? names : this.names(runId);
      const stmt = db.prepare(
        'SELECT step, value, wall_time AS wallTime FROM metrics WHERE run_id = ? AND name = ? ORDER BY step',
      );
      return wanted.map((name) => ({ name, points: stmt.all(runId, name) as MetricPoint[] }));
    },

    count(runId: string): number {
      return (db.prepare('SELECT COUNT(*) AS n FROM metrics WHERE run_id = ?').get(runId) as { n: number }).n;
    },
  };
}

export type MetricsRepo = ReturnType<typeof metricsRepo>;
