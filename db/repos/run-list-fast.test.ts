import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '#db/connection';
import { openStore, type Store } from '#db/store';
import { tempDir } from '#db/test-helpers';
import { RunListQuery } from '#shared/api/runs';

// History at scale: the list walks an index for NOT NULL sorts, counts without joins unless
// the search needs them, and sorts by a split-qualified metric (`metric:test/accuracy`).
let tmp: ReturnType<typeof tempDir>;
let store: Store;
const ids: string[] = [];

beforeEach(() => {
  tmp = tempDir();
  store = openStore(join(tmp.dir, 'w.sqlite'));
  const exp = store.experiments.insert({ name: 'e', kind: 'finetune', config: {} });
  ids.length = 0;
  // Two runs share a creation time, so the id tie-break decides their order.
  const at = ['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z'];
  at.forEach((createdAt, i) => {
    const run = store.runs.insert({
      id: `run-${i}`,
      experimentId: exp.id,
      name: `run ${i}`,
      scale: 'cpu-xs',
      task: 'vqa',
      datasetId: null,
      config: {},
      status: 'succeeded',
      createdAt,
    });
    ids.push(run.id);
  });
  store.metrics.append([
    { runId: 'run-0', name: 'test/accuracy', step: 10, value: 0.4, wallTime: 1 },
    { runId: 'run-2', name: 'test/accuracy', step: 10, value: 0.9, wallTime: 1 },
    { runId: 'run-3', name: 'test/accuracy', step: 10, value: 0.6, wallTime: 1 },
  ]);
  store.runs.setNote('run-1', 'plateau after warmup');
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const list = (q: Parameters<typeof RunListQuery.parse>[0]) => store.runs.list(RunListQuery.parse(q));

describe('runs.list at scale', () => {
  it('orders by creation time with the id as tie-break, both directions', () => {
    expect(list({}).runs.map((r) => r.id)).toEqual(['run-3', 'run-2', 'run-1', 'run-0']);
    expect(list({ order: 'asc' }).runs.map((r) => r.id)).toEqual(['run-0', 'run-1', 'run-2', 'run-3']);
  });
  it('uses the created_at index for the default sort (no sort of every run)', () => {
    const raw = openDatabase(store.file);
    const plan = raw
      .prepare(
        'EXPLAIN QUERY PLAN SELECT r.id FROM runs r LEFT JOIN datasets d ON d.id = r.dataset_id LEFT JOIN notes n ON n.run_id = r.id ORDER BY r.created_at DESC, r.id DESC LIMIT 200',
      )
      .all() as { detail: string }[];
    raw.close();
    expect(plan.some((p) => /runs_created/.test(p.detail))).toBe(true);
  });
  it('counts searches over notes, and plain filters without the joins', () => {
    expect(list({ search: 'plateau' })).toMatchObject({ total: 1 });
    expect(list({ search: 'plateau' }).runs[0]?.id).toBe('run-1');
    expect(list({ status: ['succeeded'], limit: 1 })).toMatchObject({ total: 4 });
  });
  it('sorts by a split-qualified metric, runs without it last', () => {
    expect(list({ sort: 'metric:test/accuracy' }).runs.map((r) => r.id)).toEqual([
      'run-2',
      'run-3',
      'run-0',
      'run-1',
    ]);
    expect(RunListQuery.safeParse({ sort: 'metric:test/accuracy; DROP' }).success).toBe(false);
  });
});
