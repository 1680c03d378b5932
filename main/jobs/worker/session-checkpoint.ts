import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCheckpointMeta } from '#main/engine/checkpoint/checkpoint';
import type { EngineSession, VocabJson } from '#main/engine/index';
import type { ModelConfig } from '#shared/model/config';

/** The disk filled up while writing a checkpoint; the previous checkpoint is untouched. */
export class DiskFullError extends Error {
  constructor(path: string, cause: string) {
    super(
      `The disk is full: the checkpoint ${path} could not be written (${cause}). The previous checkpoint is intact; free some space, then resume the run.`,
    );
    this.name = 'DiskFullError';
  }
}

let written = 0;

/**
 * Test hook for machines where a small tmpfs cannot be mounted: with
 * BIOMED_TEST_ENOSPC_AFTER_CHECKPOINTS=n, checkpoint writes after the n-th fail as on a full disk.
 */
function simulatedFullDisk(): boolean {
  const limit = Number(process.env['BIOMED_TEST_ENOSPC_AFTER_CHECKPOINTS']);
  return Number.isInteger(limit) && written >= limit;
}

const sizeOf = (dir: string): number =>
  readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);

/**
 * Saves the session as a checkpoint folder (the engine writes model.safetensors and
 * optimizer.safetensors atomically); `extra` carries the job's own resumable state. A write that
 * fails removes the partial folder, so the newest complete checkpoint stays the one to resume.
 */
export async function saveSessionCheckpoint(
  session: EngineSession,
  dir: string,
  extra: Record<string, unknown>,
): Promise<number> {
  try {
    if (simulatedFullDisk()) {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    await session.save(dir, extra);
    written++;
    return sizeOf(dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new DiskFullError(dir, code);
    throw err;
  }
}

/** The job state a checkpoint folder carries (`extra` of its metadata). */
export function checkpointExtra(dir: string): Readonly<Record<string, unknown>> {
  return readCheckpointMeta(dir).extra ?? {};
}

/** The vocabulary a checkpoint folder was trained with. */
export function checkpointVocab(dir: string): VocabJson {
  return readCheckpointMeta(dir).vocab;
}

/** The architecture a checkpoint folder holds (a previous run's, or imported published weights). */
export function checkpointConfig(dir: string): ModelConfig {
  return readCheckpointMeta(dir).config;
}

/** The step a checkpoint folder was written at (reads its header; throws on a damaged file). */
export function checkpointStep(dir: string): number {
  return readCheckpointMeta(dir).step;
}
