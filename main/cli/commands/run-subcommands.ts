import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliIO } from '#main/cli/command';
import { UsageError } from '#main/cli/command';
import { followProgress, untilIdle } from '#main/cli/follow';
import { openCliWorkbench } from '#main/cli/open-home';
import { resolveRun } from '#main/cli/resolve';
import { printEvaluations } from './eval';

function runArg(argv: readonly string[]): string {
  const id = argv.find((a) => !a.startsWith('-'));
  if (!id) throw new UsageError('give a run id (or a unique prefix)');
  return id;
}

/** `biomed runs show <id>`: status, progress, config, metrics, checkpoints, evaluations, log tail. */
async function show(argv: readonly string[], io: CliIO): Promise<number> {
  const ctx = openCliWorkbench(io);
  try {
    const run = await ctx.invoke('runs.get', { id: resolveRun(ctx, runArg(argv)) });
    if (argv.includes('--json')) {
      io.out(
        `${JSON.stringify({ ...run, evaluations: ctx.store.evaluations.list({ runId: run.id }) }, null, 2)}\n`,
      );
      return 0;
    }
    const line = (k: string, v: string | number | null) => io.out(`${k.padEnd(12)}${v ?? ''}\n`);
    line('run', `${run.name} (${run.id})`);
    line('status', `${run.status}${run.error ? `: ${run.error}` : ''}`);
    line('scale', `${run.scale}, ${run.params?.toLocaleString('en') ?? '?'} parameters`);
    line('task', `${run.task} on ${run.datasetName ?? run.datasetId ?? '?'}`);
    line('step', `${run.step} / ${run.totalSteps ?? '?'}`);
    line('backend', `${run.backend ?? '-'} ${run.device ? `(${run.device})` : ''}`);
    line('created', run.createdAt);
    if (run.bestMetric !== null) line('best', `${run.bestMetricName} = ${run.bestMetric.toFixed(4)}`);
    const series = ctx.store.metrics.series(run.id);
    for (const s of series) {
      const last = s.points.at(-1);
      if (last)
        io.out(
          `  ${s.name.padEnd(30)}${last.value.toPrecision(4)} at step ${last.step} (${s.points.length} points)\n`,
        );
    }
    io.out('checkpoints\n');
    for (const c of run.checkpoints)
      io.out(`  step ${c.step}  ${(c.bytes / 1e6).toFixed(1)} MB  ${c.path}\n`);
    printEvaluations(io, ctx.store.evaluations.list({ runId: run.id }), ctx);
    io.out(`log (tail)\n${run.logTail}\n`);
    return 0;
  } finally {
    ctx.close();
  }
}

/** `biomed runs cancel|pause <id>`. */
function stopper(method: 'runs.cancel' | 'runs.pause') {
  return async (argv: readonly string[], io: CliIO): Promise<number> => {
    const ctx = openCliWorkbench(io);
    try {
      const run = await ctx.invoke(method, { id: resolveRun(ctx, runArg(argv)) });
      io.out(
        `${run.name}: ${method === 'runs.cancel' ? 'cancel' : 'pause'} requested (status ${run.status})\n`,
      );
      return 0;
    } finally {
      ctx.close();
    }
  };
}

/** `biomed runs resume <id> [--detach]`: queue it from its last checkpoint and (here) run it. */
async function resume(argv: readonly string[], io: CliIO): Promise<number> {
  const detach = argv.includes('--detach');
  const ctx = openCliWorkbench(io, 'browser', { runJobs: !detach });
  try {
    const id = resolveRun(ctx, runArg(argv));
    const run = await ctx.invoke('runs.resume', { id });
    const from = ctx.store.checkpoints.latest(id);
    io.out(`${run.name}: resumed from ${from ? `step ${from.step}` : 'the start (no checkpoint)'}\n`);
    if (detach) return 0;
    const stop = followProgress(ctx, io);
    await untilIdle(ctx);
    stop();
    const done = ctx.store.runs.get(id)!;
    io.out(`${done.name}: ${done.status} at step ${done.step}${done.error ? ` (${done.error})` : ''}\n`);
    return done.status === 'succeeded' ? 0 : 1;
  } finally {
    ctx.close();
  }
}

/** `biomed runs export <id> [--step N] --out DIR [--json]`: fairseq safetensors + HF config.json. */
async function exportRun(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { step: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
  });
  const ref = positionals[0];
  if (!ref)
    throw new UsageError('give a run id (or a unique prefix): biomed runs export ID [--step N] --out DIR');
  if (!values.out) throw new UsageError('--out DIR is required (a new or empty folder)');
  const step = values.step === undefined ? undefined : Number(values.step);
  if (step !== undefined && !Number.isInteger(step))
    throw new UsageError(`--step must be a whole number, not "${values.step}"`);
  const ctx = openCliWorkbench(io);
  try {
    const r = await ctx.invoke('runs.export', {
      id: resolveRun(ctx, ref),
      outDir: resolve(values.out),
      ...(step !== undefined ? { step } : {}),
    });
    if (values.json) {
      io.out(`${JSON.stringify(r, null, 2)}\n`);
      return 0;
    }
    const why =
      r.chosen === 'best' && r.bestMetric
        ? `the best evaluated checkpoint (${r.bestMetric.name} = ${r.bestMetric.value.toFixed(4)})`
        : r.chosen === 'last'
          ? 'the last checkpoint'
          : 'the checkpoint asked for';
    io.out(`exported step ${r.step}, ${why}, to ${r.dir}\n`);
    for (const f of r.files) io.out(`  ${f.name.padEnd(20)}${(f.bytes / 1e6).toFixed(1)} MB\n`);
    io.out(`${r.tensors} tensors with fairseq OFA names; load it in PyTorch as docs/export.md shows\n`);
    return 0;
  } finally {
    ctx.close();
  }
}

/** `biomed runs <sub>` beside `list` (runs.ts): show, cancel, pause, resume, export. */
export const RUN_SUBCOMMANDS: Readonly<
  Record<string, (argv: readonly string[], io: CliIO) => Promise<number>>
> = {
  show,
  cancel: stopper('runs.cancel'),
  pause: stopper('runs.pause'),
  resume,
  export: exportRun,
};
