import { parseArgs } from 'node:util';
import type { Command } from '#main/cli/command';
import { cancelOnInterrupt, followProgress, formatSeconds, untilIdle } from '#main/cli/follow';
import { csv, formatCi } from '#main/cli/metrics-format';
import { openCliWorkbench } from '#main/cli/open-home';
import { formatTable } from '#main/cli/table';
import { ensureDemoDatasets } from '#main/services/demo-datasets';
import { CPU_RUNG_RECIPE } from '#shared/model/cpu-recipe';
import { demoVerdict } from './demo-verdict';

/** The CPU scale ladder of the demo, smallest first. */
export const DEMO_RUNGS = ['cpu-xs', 'cpu-s', 'cpu-m'] as const;
/**
 * The demo's training recipe: the CPU rungs' recipe of shared/model/cpu-recipe.ts, the same for
 * every rung (equal examples seen, the papers' rule across scales, and one peak rate, which each
 * rung takes from the engine's default, so no lr here), on 32 px images: the phantoms' lesions are
 * large, and 2x2 image tokens (one per lung and zone) are read within ~50 steps where 64 px's 4x4
 * take 150 or more; cheaper steps too. bench/demo-ladder.ts defaults to it.
 */
export const DEMO_RECIPE = {
  steps: CPU_RUNG_RECIPE.steps,
  batchSize: CPU_RUNG_RECIPE.batchSize,
  imageSize: 32,
  warmupRatio: CPU_RUNG_RECIPE.warmupRatio,
} as const;

const seconds = (from: string | null, to: string | null) =>
  from && to ? (Date.parse(to) - Date.parse(from)) / 1000 : Number.NaN;

/**
 * `biomed demo`: the main job, headless, on the data folder: imports the demo datasets, fine-tunes
 * the VQA demo at three CPU rungs as one sweep, evaluates each on its test split, and prints the
 * comparison (metrics with 95% CIs, and a paired bootstrap test of the largest against the
 * smallest rung). Everything is stored: `biomed runs list` and the app show it afterwards.
 */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run the main job on demo data: a 3-rung CPU scale ladder fine-tuned, evaluated, compared',
  usage: 'biomed demo [--steps N] [--batch B] [--seed S] [--scales cpu-xs,cpu-s,cpu-m] [--json]',
  async run(argv, io) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        steps: { type: 'string' },
        batch: { type: 'string' },
        scales: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    const steps = Number(values.steps ?? DEMO_RECIPE.steps);
    const started = performance.now();
    const ctx = openCliWorkbench(io, 'browser', { runJobs: true });
    try {
      io.err(`data folder ${ctx.home.root}\n`);
      await ensureDemoDatasets(ctx, { onlyIfEmpty: false });
      const vqa = ctx.store.datasets.findDemo('phantom-vqa-counts');
      if (!vqa) throw new Error('the demo VQA dataset could not be imported');
      const scales = values.scales ? csv(values.scales) : [...DEMO_RUNGS];
      const created = await ctx.invokeFromUser('experiments.create', {
        name: 'demo ladder',
        task: 'vqa',
        datasets: [{ datasetId: vqa }],
        scale: scales[0],
        sweep: { scales },
        // One validation and checkpoint at the end keeps the budget for training.
        hyperparameters: {
          steps,
          batchSize: Number(values.batch ?? DEMO_RECIPE.batchSize),
          imageSize: DEMO_RECIPE.imageSize,
          warmupRatio: DEMO_RECIPE.warmupRatio,
          checkpointEvery: steps,
          seed: Number(values.seed ?? 1),
        },
        evaluate: { split: 'test' },
      });
      const experimentId = created.experiment!.id;
      io.err(`experiment ${experimentId}: ${created.runs.length} runs queued (one at a time on this CPU)\n`);
      const stopFollowing = followProgress(ctx, io, 10_000);
      const stopInterrupt = cancelOnInterrupt(ctx, () => created.runs.map((r) => r.id), io);
      await untilIdle(ctx);
      stopFollowing();
      stopInterrupt();
      const evaluations = ctx.store.evaluations.list({ experimentId });
      const rows = created.runs.map((r) => {
        const run = ctx.store.runs.get(r.id)!;
        const ev = evaluations.find((e) => e.runId === r.id);
        const loss = ctx.store.metrics.series(r.id, ['train/loss'])[0]?.points.at(-1)?.value;
        return { run, ev, loss };
      });
      const wall = (performance.now() - started) / 1000;
      const ladder = rows.filter((r) => r.ev?.status === 'succeeded');
      const first = ladder[0];
      const last = ladder.at(-1);
      const comparison =
        first?.ev && last?.ev && first.ev.id !== last.ev.id
          ? await ctx.invoke('evaluations.compare', { ids: [last.ev.id, first.ev.id] })
          : null;
      if (values.json) {
        io.out(`${JSON.stringify({ experimentId, wallSeconds: wall, rows, comparison }, null, 2)}\n`);
      } else {
        io.out(
          `\n${formatTable(
            [
              'rung',
              'params',
              'steps',
              'train',
              'loss',
              'accuracy [95% CI]',
              'closed',
              'open',
              'eval ex/s',
              'status',
            ],
            rows.map(({ run, ev, loss }) => [
              run.scale,
              run.params?.toLocaleString('en') ?? '?',
              `${run.step}/${run.totalSteps ?? '?'}`,
              formatSeconds(seconds(run.startedAt, run.finishedAt)),
              loss === undefined ? '-' : loss.toFixed(3),
              formatCi(ev?.metrics['accuracy']),
              formatCi(ev?.metrics['accuracy_closed']).split(' ')[0] ?? '-',
              formatCi(ev?.metrics['accuracy_open']).split(' ')[0] ?? '-',
              ev ? (ev.done / Math.max(seconds(ev.startedAt, ev.finishedAt), 1e-3)).toFixed(1) : '-',
              ev?.status === 'succeeded'
                ? run.status
                : `${run.status}${ev ? `, eval ${ev.status}` : ''}${run.error ? `: ${run.error}` : ''}`,
            ]),
          )}\n`,
        );
        const acc = comparison?.paired.find((p) => p.metric === 'accuracy');
        if (acc && acc.delta !== null) {
          io.out(
            `\n${last?.run.scale} vs ${first?.run.scale} accuracy: delta ${acc.delta >= 0 ? '+' : ''}${acc.delta.toFixed(3)} [${acc.deltaLow?.toFixed(3)}, ${acc.deltaHigh?.toFixed(3)}], paired bootstrap p = ${acc.pValue?.toFixed(3)} (${comparison?.pairedExamples} examples)\n`,
          );
        }
        const compareUrl = `biomed serve, then #/compare?ids=${ladder.map((r) => r.run.id).join(',')}`;
        const paired =
          acc && acc.delta !== null && acc.pValue !== null && acc.pValue !== undefined
            ? { delta: acc.delta, pValue: acc.pValue, examples: comparison?.pairedExamples ?? 0 }
            : null;
        const rungs = ladder.map((r) => ({
          scale: r.run.scale,
          accuracy: r.ev?.metrics['accuracy']?.estimate ?? Number.NaN,
        }));
        io.out(`\n${demoVerdict(rungs, paired, compareUrl)}\n`);
        io.out(
          `\nwall time ${formatSeconds(wall)}; stored in ${ctx.home.databaseFile} (experiment ${experimentId})\n`,
        );
      }
      return rows.every((r) => r.run.status === 'succeeded' && r.ev?.status === 'succeeded') ? 0 : 1;
    } finally {
      ctx.close();
    }
  },
};
