import { rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Store } from '#db/store';
import { WorkbenchError } from '#shared/api/errors';
import type { WeightsRecord } from '#shared/domain/weights';
import type { Handlers } from './handler';
import { importWeights } from './weights-import';

function mustGet(store: Store, id: string): WeightsRecord {
  const w = store.weights.get(id);
  if (!w) throw new WorkbenchError('not_found', `No imported weights with id "${id}"`, 'id');
  return w;
}

/**
 * The checkpoint folder of imported weights, as the engine takes it for initial weights
 * (`TrainJob.initCheckpoint`, `SessionOptions.init`) and for evaluation (`EvaluateJob.checkpointPath`):
 * it holds `model.safetensors` with config and vocabulary in its header, no optimizer state.
 */
export function weightsCheckpointPath(store: Store, id: string): string {
  return dirname(mustGet(store, id).storedPath);
}

function sizeOrZero(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** `weights.*`: the imported-weights library. */
export const weightsHandlers: Handlers<'weights.import' | 'weights.list' | 'weights.get' | 'weights.delete'> =
  {
    'weights.import': (input, ctx) => importWeights(ctx, input),
    'weights.list': (_input, ctx) => ctx.store.weights.list(),
    'weights.get': ({ id }, ctx) => mustGet(ctx.store, id),
    'weights.delete': ({ id }, ctx) => {
      const w = mustGet(ctx.store, id);
      if (ctx.store.weightsUsage.active(id) > 0)
        throw new WorkbenchError(
          'conflict',
          `"${w.name}" are in use by a queued or running run or evaluation; cancel it before deleting them.`,
          'id',
        );
      const bytes = sizeOrZero(w.storedPath);
      ctx.store.weights.delete(id);
      rmSync(dirname(w.storedPath), { recursive: true, force: true });
      return { id, bytesRemoved: bytes };
    },
  };
