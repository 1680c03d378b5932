import { parseArgs } from 'node:util';
import type { Command } from '#main/cli/command';
import { UsageError } from '#main/cli/command';
import { cancelOnInterrupt, followProgress, formatSeconds, untilIdle } from '#main/cli/follow';
import { csv } from '#main/cli/metrics-format';
import { openCliWorkbench } from '#main/cli/open-home';
import { resolveDataset, resolveRun } from '#main/cli/resolve';
import { formatTable } from '#main/cli/table';
import { printEvaluations } from './eval';

const GIB = 1024 ** 3;

/** `biomed train`: create an experiment (one run or a sweep), run it here, evaluate it. */
export const trainCommand: Command = {
  name: 'train',
  summary: 'Fine-tune or instruction-tune a model (or a sweep) and evaluate it',
  usage:
    'biomed train --dataset D[:weight] [--dataset D2[:w]] --task T --scale S [--name N] [--instruction] [--steps N | --epochs E] [--lr X] [--batch B] [--seed N] [--init-run RUN] [--sweep-scales a,b] [--sweep-lrs x,y] [--sweep-seeds 1,2] [--sweep-datasets d1,d2] [--eval-split test|none] [--zero-shot D] [--eval-limit N] [--backend B] [--cluster NAME] [--dry-run] [--detach] [--json]',
  async run(argv, io) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        dataset: { type: 'string', multiple: true },
        task: { type: 'string' },
        scale: { type: 'string' },
        name: { type: 'string' },
        instruction: { type: 'boolean' },
        steps: { type: 'string' },
        epochs: { type: 'string' },
        lr: { type: 'string' },
        batch: { type: 'string' },
        seed: { type: 'string' },
        'init-run': { type: 'string' },
        'sweep-scales': { type: 'string' },
        'sweep-lrs': { type: 'string' },
        'sweep-seeds': { type: 'string' },
        'sweep-datasets': { type: 'string' },
        'eval-split': { type: 'string' },
        'zero-shot': { type: 'string', multiple: true },
        'eval-limit': { type: 'string' },
        backend: { type: 'string' },
        cluster: { type: 'string' },
        'dry-run': { type: 'boolean' },
        detach: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
    if (!values.dataset?.length || !values.task || !values.scale) {
      throw new UsageError('--dataset, --task and --scale are required');
    }
    const runJobs = !values.detach && !values['dry-run'];
    const ctx = openCliWorkbench(io, 'browser', { runJobs });
    try {
      const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
      const datasets = values.dataset.map((d) => {
        const [ref, weight] = d.split(':');
        return { datasetId: resolveDataset(ctx, ref ?? d), weight: weight ? Number(weight) : 1 };
      });
      const sweep = {
        ...(values['sweep-scales'] ? { scales: csv(values['sweep-scales']) } : {}),
        ...(values['sweep-lrs'] ? { lrs: csv(values['sweep-lrs']).map(Number) } : {}),
        ...(values['sweep-seeds'] ? { seeds: csv(values['sweep-seeds']).map(Number) } : {}),
        ...(values['sweep-datasets']
          ? { datasets: csv(values['sweep-datasets']).map((d) => resolveDataset(ctx, d)) }
          : {}),
      };
      const hyperparameters = Object.fromEntries(
        Object.entries({
          steps: num(values.steps),
          epochs: num(values.epochs),
          lr: num(values.lr),
          batchSize: num(values.batch),
          seed: num(values.seed),
        }).filter(([, v]) => v !== undefined),
      );
      const split = values['eval-split'] ?? 'test';
      const created = await ctx.invokeFromUser('experiments.create', {
        name: values.name ?? String(values.task),
        kind: values.instruction ? 'instruction' : 'finetune',
        task: values.task,
        datasets,
        scale: values.scale,
        ...(values['init-run'] ? { init: { type: 'run', runId: resolveRun(ctx, values['init-run']) } } : {}),
        hyperparameters,
        ...(Object.keys(sweep).length > 0 ? { sweep } : {}),
        evaluate: {
          split: split === 'none' ? null : split,
          zeroShot: (values['zero-shot'] ?? []).map((d) => ({ datasetId: resolveDataset(ctx, d) })),
          ...(values['eval-limit'] ? { limit: Number(values['eval-limit']) } : {}),
        },
        ...(values.backend ? { backend: values.backend } : {}),
        ...(values.cluster ? { cluster: values.cluster } : {}),
        dryRun: values['dry-run'] ?? false,
      });
      io.out(
        `${formatTable(
          ['run', 'scale', 'steps', 'batch', 'lr', 'params', 'memory', 'estimate'],
          created.plan.map((p) => [
            p.name,
            p.scale,
            String(p.hyperparameters.steps),
            String(p.hyperparameters.batchSize),
            String(p.hyperparameters.lr),
            p.estimate.params.toLocaleString('en'),
            `${(p.estimate.memoryBytes / GIB).toFixed(2)} GiB`,
            `${formatSeconds(p.estimate.totalSeconds)} on ${p.estimate.backend}`,
          ]),
        )}\n`,
      );
      if (!created.experiment) return 0;
      io.out(`experiment ${created.experiment.id}: ${created.runs.length} run(s) queued\n`);
      for (const r of created.runs.filter((x) => x.cluster))
        io.out(`  ${r.name}: Slurm job ${r.cluster!.jobId} on ${r.cluster!.cluster}\n`);
      if (values.cluster)
        io.out('Ctrl-C stops following here; the jobs go on, and the app catches up later.\n');
      if (values.detach) {
        io.out('Queued; the app or `biomed serve` runs them (or `biomed runs resume`).\n');
        return 0;
      }
      const ids = created.runs.map((r) => r.id);
      const stopFollowing = followProgress(ctx, io);
      const stopInterrupt = values.cluster ? () => {} : cancelOnInterrupt(ctx, () => ids, io);
      await untilIdle(ctx);
      stopFollowing();
      stopInterrupt();
      const runs = ids.map((id) => ctx.store.runs.get(id)!);
      if (values.json) {
        io.out(
          `${JSON.stringify({ experiment: created.experiment, runs, evaluations: ctx.store.evaluations.list({ experimentId: created.experiment.id }) }, null, 2)}\n`,
        );
      } else {
        printEvaluations(io, ctx.store.evaluations.list({ experimentId: created.experiment.id }), ctx);
      }
      return runs.every((r) => r.status === 'succeeded') ? 0 : 1;
    } finally {
      ctx.close();
    }
  },
};
