import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '#db/store';
import { tempDir } from '#db/test-helpers';
import { RunListQuery } from '#shared/api/runs';

let tmp: ReturnType<typeof tempDir>;
let store: Store;

beforeEach(() => {
  tmp = tempDir();
  store = openStore(join(tmp.dir, 'w.sqlite'));
  const exp = store.experiments.insert({ name: 'sweep', kind: 'sweep', config: { b: 1, a: [2, 3] } });
  const rows = [
    { name: 'alpha', scale: 'S', task: 'vqa', status: 'succeeded', best: 0.7, at: '2026-01-01T00:00:00Z' },
    { name: 'beta', scale: 'Base', task: 'vqa', status: 'failed', best: null, at: '2026-01-02T00:00:00Z' },
    {
      name: 'gamma',
      scale: 'Large',
      task: 'captioning',
      status: 'succeeded',
      best: 0.9,
      at: '2026-01-03T00:00:00Z',
    },
    {
      name: 'delta_50%',
      scale: 'S',
      task: 'summarization',
      status: 'queued',
      best: null,
      at: '2026-01-04T00:00:00Z',
    },
  ] as const;
  for (const r of rows) {
    const run = store.runs.insert({
      experimentId: exp.id,
      name: r.name,
      scale: r.scale,
      task: r.task,
      datasetId: null,
      config: {},
      status: r.status,
      createdAt: r.at,
    });
    if (r.best !== null) store.runs.update(run.id, { bestMetricName: 'accuracy', bestMetric: r.best });
    store.metrics.append([{ runId: run.id, name: 'rougeL', step: 1, value: r.name.length, wallTime: 0 }]);
  }
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const list = (q: Record<string, unknown>) => store.runs.list(RunListQuery.parse(q));

describe('runs repository', () => {
  it('lists newest first and pages with a total', () => {
    const page = list({ limit: 2 });
    expect(page.total).toBe(4);
    expect(page.runs.map((r) => r.name)).toEqual(['delta_50%', 'gamma']);
    expect(list({ limit: 2, offset: 2 }).runs.map((r) => r.name)).toEqual(['beta', 'alpha']);
  });

  it('filters by status, task, scale and tag, and searches names and notes literally', () => {
    expect(list({ status: ['succeeded'] }).runs.map((r) => r.name)).toEqual(['gamma', 'alpha']);
    expect(list({ task: ['vqa'], scale: ['Base'] }).runs.map((r) => r.name)).toEqual(['beta']);
    const alpha = list({ search: 'alp' }).runs[0]!;
    store.runs.tag(alpha.id, ['baseline', 'paper'], []);
    expect(list({ tag: ['paper'] }).runs.map((r) => r.name)).toEqual(['alpha']);
    store.runs.setNote(alpha.id, 'diverged at step 300');
    expect(list({ search: 'diverged' }).runs.map((r) => r.name)).toEqual(['alpha']);
    // % is a literal character in search, not a wildcard
    expect(list({ search: '50%' }).runs.map((r) => r.name)).toEqual(['delta_50%']);
    expect(list({ search: '%' }).total).toBe(1);
  });

  it('sorts by best metric with missing values last, and by any stored metric', () => {
    expect(
      list({ sort: 'bestMetric', order: 'desc' })
        .runs.map((r) => r.name)
        .slice(0, 2),
    ).toEqual(['gamma', 'alpha']);
    expect(
      list({ sort: 'bestMetric', order: 'asc' })
        .runs.map((r) => r.name)
        .slice(0, 2),
    ).toEqual(['alpha', 'gamma']);
    expect(list({ sort: 'metric:rougeL', order: 'desc' }).runs[0]?.name).toBe('delta_50%');
  });

  it('keeps tags, notes and stars, and marks crashed runs interrupted', () => {
    const beta = list({ search: 'beta' }).runs[0]!;
    store.runs.tag(beta.id, ['x', 'y'], []);
    store.runs.tag(beta.id, [], ['x']);
    store.runs.star(beta.id, true);
    expect(store.runs.get(beta.id)).toMatchObject({ tags: ['y'], starred: true });
    store.runs.update(beta.id, { status: 'running' });
    expect(store.runs.markInterrupted('the app stopped')).toEqual([beta.id]);
    expect(store.runs.get(beta.id)).toMatchObject({ status: 'interrupted', error: 'the app stopped' });
  });

  it('hashes equal configs equally whatever the key order', () => {
    const a = store.experiments.insert({ name: 'a', kind: 'finetune', config: { lr: 1, seed: 2 } });
    const b = store.experiments.insert({ name: 'b', kind: 'finetune', config: { seed: 2, lr: 1 } });
    expect(a.configHash).toBe(b.configHash);
  });
});
