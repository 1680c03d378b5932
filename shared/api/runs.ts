import { z } from 'zod';
import { MetricSeries } from '#shared/domain/metric';
import { RunDetail, RunStatus, RunSummary } from '#shared/domain/run';
import { method } from './define';

/** Columns History can sort by; `metric:<name>` sorts by a run's best value of that metric. */
export const RunSortKey = z.union([
  z.enum(['createdAt', 'name', 'status', 'scale', 'task', 'dataset', 'bestMetric', 'params']),
  z.string().regex(/^metric:[\w./-]+$/, 'must be metric:<name>'),
]);

/** Filter, sort and page for `runs.list`. */
export const RunListQuery = z
  .object({
    search: z.string().max(200).optional(),
    status: z.array(RunStatus).optional(),
    task: z.array(z.string()).optional(),
    scale: z.array(z.string()).optional(),
    datasetId: z.array(z.string()).optional(),
    tag: z.array(z.string()).optional(),
    starred: z.boolean().optional(),
    experimentId: z.string().optional(),
    createdAfter: z.string().optional(),
    createdBefore: z.string().optional(),
    sort: RunSortKey.default('createdAt'),
    order: z.enum(['asc', 'desc']).default('desc'),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type RunListQuery = z.input<typeof RunListQuery>;

/** One page of runs and the total that matched. */
export const RunListPage = z.object({ total: z.number().int(), runs: z.array(RunSummary) });
export type RunListPage = z.infer<typeof RunListPage>;

const RunId = z.object({ id: z.string().min(1) }).strict();

/** Methods over the run history. */
export const runMethods = {
  'runs.list': method(RunListQuery, RunListPage, 'Runs matching a filter, sorted and paged'),
  'runs.get': method(RunId, RunDetail, 'One run with its config, checkpoints and log tail'),
  'runs.metrics': method(
    z
      .object({
        id: z.string().min(1),
        names: z.array(z.string()).optional(),
        /** Downsample each series to at most this many points for display (storage keeps all). */
        maxPoints: z.number().int().min(10).max(1_000_000).optional(),
      })
      .strict(),
    z.array(MetricSeries),
    'Metric series of a run',
  ),
  'runs.setNote': method(
    z.object({ id: z.string().min(1), note: z.string().max(20_000) }).strict(),
    RunSummary,
    'Replace the note on a run',
  ),
  'runs.tag': method(
    z
      .object({
        id: z.string().min(1),
        add: z.array(z.string().trim().min(1).max(64)).default([]),
        remove: z.array(z.string()).default([]),
      })
      .strict(),
    RunSummary,
    'Add and remove tags on a run',
  ),
  'runs.star': method(
    z.object({ id: z.string().min(1), starred: z.boolean() }).strict(),
    RunSummary,
    'Star or unstar a run',
  ),
  'runs.tags': method(z.object({}).strict(), z.array(z.string()), 'Every tag in use'),
};

/** Pushed whenever a run is created, changes state or progresses. */
export const RunChangeEvent = z.object({
  kind: z.enum(['created', 'updated', 'deleted']),
  runId: z.string(),
  run: RunSummary.optional(),
});
export type RunChangeEvent = z.infer<typeof RunChangeEvent>;
