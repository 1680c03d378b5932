import { permutation } from '#shared/random';

/** Serialisable position in a seeded, epoch-wise shuffled pass over a dataset. */
export interface DataOrderState {
  readonly seed: number;
  readonly size: number;
  readonly epoch: number;
  /** Next index within the epoch's permutation. */
  readonly cursor: number;
}

/** Takes the next `count` example indices, reshuffling (seed + epoch) at each epoch boundary. */
export function nextIndices(
  state: DataOrderState,
  count: number,
): { indices: number[]; state: DataOrderState } {
  const indices: number[] = [];
  let { epoch, cursor } = state;
  let perm = permutation(state.size, state.seed * 1000003 + epoch);
  while (indices.length < count) {
    if (cursor >= state.size) {
      epoch++;
      cursor = 0;
      perm = permutation(state.size, state.seed * 1000003 + epoch);
    }
    indices.push(perm[cursor++] as number);
  }
  return { indices, state: { ...state, epoch, cursor } };
}

/** A fresh order at epoch 0. */
export function initialOrder(seed: number, size: number): DataOrderState {
  if (size <= 0) throw new Error('cannot order an empty dataset');
  return { seed, size, epoch: 0, cursor: 0 };
}
