// The engine worker as a Slurm job runs it: `node node-worker.js BUNDLE [TASK]`. The same
// training job as a local worker (runTrainJob), against the bundle the workbench wrote to the
// shared folder; instead of IPC messages it appends records to an events file in the run's
// folder, which the workbench ingests. Slurm's SIGTERM (time limit, scancel, preemption) stops
// it at the next step boundary with a checkpoint, and a requeued or resubmitted job resumes from
// the newest complete checkpoint in the run folder.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrainJob } from '#main/jobs/protocol';
import { runEvaluateJob } from '#main/jobs/worker/evaluate-job';
import type { JobContext, JobMessage } from '#main/jobs/worker/job-context';
import { checkpointStep } from '#main/jobs/worker/session-checkpoint';
import { runTrainJob } from '#main/jobs/worker/train-job';
import { ClusterEvalTask } from './eval-task';
import { EventsWriter, eventsFileName, parseEvents } from './events-file';

/** The newest checkpoint folder of a run that reads back (a half-written one does not). */
export function latestCheckpoint(runDir: string): string | null {
  const dir = join(runDir, 'checkpoints');
  if (!existsSync(dir)) return null;
  for (const name of readdirSync(dir)
    .filter((n) => /^step-\d+$/.test(n))
    .sort()
    .reverse()) {
    try {
      checkpointStep(join(dir, name));
      return join(dir, name);
    } catch {
      // damaged or incomplete: try the one before
    }
  }
  return null;
}

function slurmJobId(env: NodeJS.ProcessEnv): string {
  if (env['SLURM_ARRAY_JOB_ID'] && env['SLURM_ARRAY_TASK_ID'])
    return `${env['SLURM_ARRAY_JOB_ID']}_${env['SLURM_ARRAY_TASK_ID']}`;
  return env['SLURM_JOB_ID'] ?? `local-${process.pid}`;
}

/** Example ids an earlier start of an evaluation already wrote (a requeued job skips them). */
export function predictedIds(evalDir: string): number[] {
  const dir = join(evalDir, 'events');
  if (!existsSync(dir)) return [];
  const ids: number[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
    for (const r of parseEvents(readFileSync(join(dir, name))).records)
      if ('msg' in r && r.msg.type === 'predictions') ids.push(...r.msg.rows.map((row) => row.exampleId));
  }
  return ids;
}

async function main(): Promise<number> {
  const [bundle, taskArg, kind] = process.argv.slice(2);
  if (!bundle) {
    process.stderr.write('usage: node-worker BUNDLE [TASK_INDEX] [train|eval]\n');
    return 2;
  }
  const task = Number(taskArg ?? process.env['SLURM_ARRAY_TASK_ID'] ?? 0);
  const file = join(bundle, kind === 'eval' ? 'eval-tasks' : 'tasks', `${task}.json`);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const evalTask = kind === 'eval' ? ClusterEvalTask.parse(raw) : null;
  const job = evalTask ? null : TrainJob.parse(raw);
  const folder = evalTask ? evalTask.evalDir : job!.runDir;
  mkdirSync(join(folder, 'events'), { recursive: true });
  const jobId = slurmJobId(process.env);
  const restart = Number(process.env['SLURM_RESTART_COUNT'] ?? 0);
  const skip = evalTask ? predictedIds(evalTask.evalDir) : [];
  const out = new EventsWriter(join(folder, 'events', eventsFileName(jobId, restart)));
  let stop: 'cancel' | 'pause' | null = null;
  let signal: string | null = null;
  for (const s of ['SIGTERM', 'SIGUSR1', 'SIGINT'] as const) {
    process.on(s, () => {
      signal = s;
      stop = 'pause';
      out.write({
        msg: {
          type: 'log',
          v: 1,
          level: 'warn',
          line: `${s} from Slurm: stopping at the next step boundary with a checkpoint`,
        },
      });
    });
  }
  // Test hook: slows every step, so tests can catch a tiny job while it runs.
  const delay = Number(process.env['BIOMED_TEST_STEP_DELAY_MS'] ?? 0);
  const ctx: JobContext = {
    send: (m: JobMessage) => {
      out.write({ msg: { ...m, v: 1 } as never }, m.type === 'checkpoint');
      if (m.type === 'log') process.stdout.write(`${m.line}\n`);
    },
    log: (line, level = 'info') => {
      out.write({
        msg: {
          type: 'log',
          v: 1,
          level,
          line: `[${jobId} on ${process.env['SLURMD_NODENAME'] ?? 'node'}] ${line}`,
        },
      });
      process.stdout.write(`${line}\n`);
    },
    stopRequested: () => stop,
    yieldToHost: () => new Promise((r) => setTimeout(r, Math.max(delay, 0))),
  };
  try {
    let result: { reason: 'completed' | 'cancelled' | 'paused'; step: number };
    if (evalTask) {
      const { evalDir: _dir, checkpointRunDir, ...spec } = evalTask;
      const checkpoint = checkpointRunDir ? latestCheckpoint(checkpointRunDir) : spec.checkpointPath;
      if (!checkpoint) throw new Error(`run folder ${checkpointRunDir} holds no complete checkpoint`);
      ctx.log(
        `decoding checkpoint ${checkpoint}${skip.length > 0 ? ` (${skip.length} examples already predicted)` : ''}`,
      );
      result = await runEvaluateJob(
        {
          ...spec,
          checkpointPath: checkpoint,
          skipExampleIds: [...new Set([...spec.skipExampleIds, ...skip])],
        },
        ctx,
      );
      // A stop on Slurm's signal is a pause: the requeued job continues where this one stopped.
      if (result.reason === 'cancelled' && signal) result = { ...result, reason: 'paused' };
    } else {
      const resume = latestCheckpoint(job!.runDir);
      result = await runTrainJob({ ...job!, resumeCheckpoint: resume ?? job!.resumeCheckpoint }, ctx);
    }
    out.write({ end: { reason: result.reason, step: result.step, signal } });
    out.close();
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    out.write({ msg: { type: 'error', v: 1, kind: 'internal', message } });
    out.write({ end: { reason: 'error', step: 0, signal } });
    out.close();
    return 1;
  }
}

process.exit(await main());
