import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// Real worker processes: generous limits for a loaded 2-core machine (the suite default is 120 s).
vi.setConfig({ testTimeout: 600_000, hookTimeout: 300_000 });

import { checkpointStep } from '#main/jobs/worker/session-checkpoint';
import { QUICK, startFinetune, vqaRadWorkbench, waitUntil } from './job-test-helpers';

// A disk that fills up while a run writes checkpoints: the run fails with a clear error and the
// previous checkpoint stays intact. The run folder is a small tmpfs (we are root in CI); where
// mounting is not permitted the worker's checkpoint writes fail with a simulated ENOSPC instead.

const dir = mkdtempSync(join(tmpdir(), 'bw-disk-'));
const runs = join(dir, 'runs');
mkdirSync(runs, { recursive: true });
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', runs], { stdio: 'ignore' });
  mounted = true;
} catch {
  process.env['BIOMED_TEST_ENOSPC_AFTER_CHECKPOINTS'] = '1';
}

afterAll(() => {
  if (mounted) execFileSync('umount', [runs]);
  delete process.env['BIOMED_TEST_ENOSPC_AFTER_CHECKPOINTS'];
  rmSync(dir, { recursive: true, force: true });
});

describe(`full disk during checkpointing (${mounted ? 'tmpfs' : 'simulated ENOSPC'})`, () => {
  it('fails the run with a clear error and keeps the previous checkpoint', async () => {
    const env = await vqaRadWorkbench(dir);
    try {
      const { ctx } = env;
      const runId = await startFinetune(ctx, env.datasetId, { ...QUICK, steps: 40, checkpointEvery: 2 });
      await waitUntil(() => ctx.store.checkpoints.latest(runId) !== undefined, 90_000, 'a first checkpoint');
      if (mounted) {
        // Leave less room than one checkpoint needs beside the existing ones.
        // (The worker may be writing meanwhile: retry with the space then left.)
        const first = ctx.store.checkpoints.latest(runId)!;
        for (let attempt = 0; attempt < 5; attempt++) {
          const free = Number(statfsSync(runs).bavail) * Number(statfsSync(runs).bsize);
          try {
            writeFileSync(
              join(runs, `filler-${attempt}`),
              Buffer.alloc(Math.max(0, free - Math.floor(first.bytes / 2))),
            );
            break;
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
            rmSync(join(runs, `filler-${attempt}`), { force: true });
          }
        }
      }
      const run = await ctx.scheduler.waitForRun(runId);
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/disk is full.*previous checkpoint is intact/);
      const last = ctx.store.checkpoints.latest(runId)!;
      expect(last.step).toBeLessThan(40);
      // The recorded checkpoint is complete and readable; no half-written file is left behind.
      expect(checkpointStep(last.path)).toBe(last.step);
      expect(readdirSync(last.path).sort()).toEqual(['model.safetensors', 'optimizer.safetensors']);
      // The failed write left neither a partial checkpoint folder nor temporary files.
      const folder = readdirSync(dirname(last.path));
      expect(folder.filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(folder.every((f) => existsSync(join(dirname(last.path), f, 'optimizer.safetensors')))).toBe(
        true,
      );
    } finally {
      env.ctx.close();
    }
  });
});
