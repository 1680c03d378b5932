import type { ServiceContext } from '#main/services/context';
import type { CliIO } from './command';

/** Formats seconds as `1m05s` / `42s`. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(s < 10 ? 1 : 0)}s`;
}

/**
 * Prints a progress line per run at most every `everyMs` (step, loss) and one per finished run or
 * evaluation, until `untilIdle` resolves. Returns the unsubscribe function.
 */
export function followProgress(ctx: ServiceContext, io: CliIO, everyMs = 5000): () => void {
  const last = new Map<string, number>();
  const reported = new Map<string, string>();
  return ctx.events.subscribe((event, payload) => {
    if (event === 'onDidRunProgress') {
      const p = payload as {
        runId: string;
        step: number | null;
        totalSteps: number | null;
        points: Record<string, { value: number }[]>;
      };
      const now = Date.now();
      if (p.step === null || now - (last.get(p.runId) ?? 0) < everyMs) return;
      last.set(p.runId, now);
      const loss = p.points['train/loss']?.at(-1)?.value;
      const run = ctx.store.runs.get(p.runId);
      io.err(
        `  ${run?.name ?? p.runId.slice(0, 8)}: step ${p.step}/${p.totalSteps ?? '?'}${loss !== undefined ? `  loss ${loss.toFixed(3)}` : ''}\n`,
      );
    } else if (event === 'onDidChangeRun') {
      const p = payload as { runId: string; run?: { name: string; status: string; error: string | null } };
      const r = p.run;
      if (r && r.status !== 'running' && r.status !== 'queued' && reported.get(p.runId) !== r.status) {
        reported.set(p.runId, r.status);
        io.err(`  ${r.name}: ${r.status}${r.error ? ` (${r.error})` : ''}\n`);
      }
    } else if (event === 'onDidChangeEvaluation') {
      const p = payload as {
        evaluation: {
          status: string;
          datasetName: string | null;
          split: string;
          mode: string;
          error: string | null;
        };
      };
      const e = p.evaluation;
      if (e.status === 'succeeded' || e.status === 'failed' || e.status === 'cancelled') {
        io.err(
          `  evaluation ${e.mode} ${e.datasetName ?? ''}/${e.split}: ${e.status}${e.error ? ` (${e.error})` : ''}\n`,
        );
      }
    }
  });
}

/** Resolves when this process's scheduler has nothing queued or running and no cluster job is followed. */
export async function untilIdle(ctx: ServiceContext): Promise<void> {
  // Follow-up evaluations are queued from the event of a finished run: settle twice.
  for (let i = 0; i < 3; i++) {
    await ctx.scheduler.idle();
    await ctx.clusters.idle();
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Cancels this process's jobs on Ctrl-C instead of leaving them running. */
export function cancelOnInterrupt(
  ctx: ServiceContext,
  runIds: () => readonly string[],
  io: CliIO,
): () => void {
  const handler = () => {
    io.err('\nInterrupted: cancelling (Ctrl-C again to quit at once)\n');
    for (const id of runIds()) {
      try {
        ctx.scheduler.cancel(id);
      } catch {
        // already finished
      }
    }
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}
