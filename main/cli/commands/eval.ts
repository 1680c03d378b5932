import { parseArgs } from 'node:util';
import type { CliIO, Command } from '#main/cli/command';
import { UsageError } from '#main/cli/command';
import { followProgress, untilIdle } from '#main/cli/follow';
import { formatCi } from '#main/cli/metrics-format';
import { openCliWorkbench } from '#main/cli/open-home';
import { resolveDataset, resolveRun, resolveWeights } from '#main/cli/resolve';
import { formatTable } from '#main/cli/table';
import type { ServiceContext } from '#main/services/context';
import type { EvaluationSummary } from '#shared/domain/evaluation';
import { describeDecoding, pipelineLabel } from '#shared/evaluation-pipelines';

/**
 * Prints evaluations as a table: run, dataset/split, mode, decoding, the metric pipeline
 * (normalisation, metric variant), every metric with its CI.
 */
export function printEvaluations(
  io: CliIO,
  evaluations: readonly EvaluationSummary[],
  ctx: ServiceContext,
): void {
  if (evaluations.length === 0) {
    io.out('No evaluations.\n');
    return;
  }
  const names = [...new Set(evaluations.flatMap((e) => Object.keys(e.metrics)))];
  io.out(
    `${formatTable(
      ['run', 'data', 'mode', 'decoding', 'pipeline', 'n', ...names.map((n) => `${n} [95% CI]`)],
      evaluations.map((e) => [
        e.runId
          ? (ctx.store.runs.get(e.runId)?.name ?? e.runId.slice(0, 8))
          : e.weightsId
            ? `weights ${e.weightsName ?? e.weightsId.slice(0, 8)}`
            : '',
        `${e.datasetName ?? e.datasetId}/${e.split}`,
        e.mode,
        describeDecoding(e.decoding),
        pipelineLabel(e.pipeline),
        e.status === 'succeeded' ? String(e.done) : e.status,
        ...names.map((n) => formatCi(e.metrics[n])),
      ]),
    )}\n`,
  );
}

/** `biomed eval`: evaluate a run's checkpoint on a dataset split (fine-tuned or zero-shot). */
export const evalCommand: Command = {
  name: 'eval',
  summary: 'Evaluate a run, or imported weights, on a dataset split (zero-shot when it never trained on it)',
  usage:
    'biomed eval --run RUN | --weights W --dataset D [--split test] [--zero-shot] [--strategy greedy|beam|trie|allcand] [--beam K] [--max-length N] [--raw] [--limit N] [--cluster NAME] [--json]',
  async run(argv, io) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        run: { type: 'string' },
        weights: { type: 'string' },
        dataset: { type: 'string' },
        split: { type: 'string' },
        'zero-shot': { type: 'boolean' },
        strategy: { type: 'string' },
        beam: { type: 'string' },
        'max-length': { type: 'string' },
        limit: { type: 'string' },
        raw: { type: 'boolean' },
        cluster: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (!values.dataset || (!values.run && !values.weights) || (values.run && values.weights))
      throw new UsageError('--dataset and one of --run (a run) or --weights (imported weights) are required');
    const ctx = openCliWorkbench(io, 'browser', { runJobs: true });
    try {
      const created = await ctx.invokeFromUser('evaluations.create', {
        ...(values.run ? { runId: resolveRun(ctx, values.run) } : {}),
        ...(values.weights ? { weightsId: resolveWeights(ctx, values.weights) } : {}),
        datasetId: resolveDataset(ctx, values.dataset),
        split: values.split ?? 'test',
        ...(values['zero-shot'] ? { mode: 'zeroshot' } : {}),
        ...(values.strategy
          ? {
              decoding: {
                strategy: values.strategy,
                ...(values.beam ? { beam: Number(values.beam) } : {}),
                ...(values['max-length'] ? { maxLength: Number(values['max-length']) } : {}),
              },
            }
          : {}),
        ...(values.raw ? { pipeline: 'raw' } : {}),
        ...(values.limit ? { limit: Number(values.limit) } : {}),
        ...(values.cluster ? { cluster: values.cluster } : {}),
      });
      const stop = followProgress(ctx, io);
      await untilIdle(ctx);
      stop();
      const done = ctx.store.evaluations.get(created.id)!;
      if (values.json) io.out(`${JSON.stringify(done, null, 2)}\n`);
      else printEvaluations(io, [done], ctx);
      return done.status === 'succeeded' ? 0 : 1;
    } finally {
      ctx.close();
    }
  },
};
