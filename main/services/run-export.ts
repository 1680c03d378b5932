import { isAbsolute, join } from 'node:path';
import type { CheckpointRecord } from '#db/repos/checkpoints';
import { exportCheckpointFolder } from '#main/jobs/checkpoint-export';
import { WorkbenchError } from '#shared/api/errors';
import type { RunExportResult } from '#shared/api/run-export';
import type { RunSummary } from '#shared/domain/run';
import { taskOf } from '#shared/tasks';
import type { ServiceContext } from './context';
import type { Handlers } from './handler';

interface Choice {
  readonly checkpoint: CheckpointRecord;
  readonly chosen: RunExportResult['chosen'];
  readonly bestMetric: RunExportResult['bestMetric'];
}

/**
 * The checkpoint to export: the one at `step`, else the one whose fine-tuned evaluation scored
 * highest on the task's primary metric, else the last one.
 */
function chooseCheckpoint(ctx: ServiceContext, run: RunSummary, step: number | undefined): Choice {
  if (step !== undefined) {
    const checkpoint = ctx.store.checkpoints.at(run.id, step);
    if (!checkpoint) {
      const steps = ctx.store.checkpoints.list(run.id).map((c) => c.step);
      throw new WorkbenchError(
        'invalid_input',
        `Run "${run.name}" has no checkpoint at step ${step} (it has ${steps.length ? steps.join(', ') : 'none'})`,
        'step',
      );
    }
    return { checkpoint, chosen: 'step', bestMetric: null };
  }
  const primary = taskOf(run.task).metrics[0];
  let best: Choice | undefined;
  for (const ev of ctx.store.evaluations.list({ runId: run.id })) {
    const value = primary ? ev.metrics[primary]?.estimate : null;
    if (ev.status !== 'succeeded' || ev.mode !== 'finetuned' || ev.checkpointId === null) continue;
    if (value === null || value === undefined || (best?.bestMetric && best.bestMetric.value >= value))
      continue;
    const checkpoint = ctx.store.checkpoints.get(ev.checkpointId);
    if (checkpoint)
      best = { checkpoint, chosen: 'best', bestMetric: { name: `${ev.split}/${primary}`, value } };
  }
  if (best) return best;
  const last = ctx.store.checkpoints.latest(run.id);
  if (!last)
    throw new WorkbenchError('conflict', `Run "${run.name}" has no checkpoint yet: nothing to export.`, 'id');
  return { checkpoint: last, chosen: 'last', bestMetric: null };
}

/** `runs.export`: a run's checkpoint as fairseq-named safetensors + HF config.json (docs/export.md). */
export const runExportHandlers: Handlers<'runs.export'> = {
  'runs.export': async ({ id, step, outDir }, ctx) => {
    const run = ctx.store.runs.get(id);
    if (!run) throw new WorkbenchError('not_found', `No run with id "${id}"`, 'id');
    if (outDir !== undefined && !isAbsolute(outDir))
      throw new WorkbenchError(
        'invalid_input',
        `The export folder must be an absolute path: ${outDir}`,
        'outDir',
      );
    const choice = chooseCheckpoint(ctx, run, step);
    const dir = outDir ?? join(ctx.home.runs, run.id, 'exports', `step-${choice.checkpoint.step}`);
    try {
      const r = await exportCheckpointFolder(
        choice.checkpoint.path,
        dir,
        { id: run.id, name: run.name },
        outDir === undefined, // the default folder is the workbench's own: a new export replaces it
      );
      return {
        runId: run.id,
        step: r.step,
        chosen: choice.chosen,
        bestMetric: choice.bestMetric,
        dir: r.dir,
        files: [...r.files],
        tensors: r.tensors,
      };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.name === 'CheckpointFormatError')
        throw /already exists/.test(e.message)
          ? new WorkbenchError('invalid_input', e.message, 'outDir')
          : new WorkbenchError(
              'conflict',
              `The checkpoint of step ${choice.checkpoint.step} is damaged: ${e.message}`,
            );
      if (e.code === 'ENOENT')
        throw new WorkbenchError(
          'conflict',
          `The checkpoint file of step ${choice.checkpoint.step} is missing: ${e.message}`,
        );
      if (e.code === 'EACCES' || e.code === 'EROFS' || e.code === 'ENOSPC')
        throw new WorkbenchError('invalid_input', `Cannot write the export to ${dir}: ${e.code}`, 'outDir');
      throw err;
    }
  },
};
