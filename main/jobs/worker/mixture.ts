import { type DataOrderState, initialOrder, nextIndices } from '#main/engine/train/data-order';
import { hashSeed, mulberry32 } from '#shared/random';

/** Resumable position of a mixture sampler: one shuffled order per dataset. */
export interface MixtureState {
  readonly orders: readonly DataOrderState[];
}

/**
 * Draws batches from several datasets by sampling weight. Which dataset each batch slot comes
 * from is a pure function of (seed, step, slot), and each dataset is walked in its own seeded,
 * epoch-wise shuffled order, so a run resumed from a checkpoint sees exactly the same batches.
 */
export class MixtureSampler {
  private orders: DataOrderState[];
  private readonly cumulative: number[];

  constructor(
    private readonly sizes: readonly number[],
    weights: readonly number[],
    private readonly seed: number,
    state?: MixtureState | null,
  ) {
    const total = weights.reduce((a, b) => a + b, 0);
    let acc = 0;
    this.cumulative = weights.map((w) => {
      acc += w / total;
      return acc;
    });
    this.orders =
      state && state.orders.length === sizes.length
        ? [...state.orders]
        : sizes.map((n, i) => initialOrder(hashSeed(seed, `dataset:${i}`), n));
  }

  /** Batch of `size` (dataset index, example index) pairs for update number `step`. */
  next(step: number, size: number): { dataset: number; index: number }[] {
    const rand = mulberry32(hashSeed(this.seed, `step:${step}`));
    const picks = Array.from({ length: size }, () => {
      const r = rand();
      const i = this.cumulative.findIndex((c) => r < c);
      return i < 0 ? this.cumulative.length - 1 : i;
    });
    const out: { dataset: number; index: number }[] = [];
    this.sizes.forEach((_, d) => {
      const count = picks.filter((p) => p === d).length;
      if (count === 0) return;
      const drawn = nextIndices(this.orders[d]!, count);
      this.orders[d] = drawn.state;
      for (const index of drawn.indices) out.push({ dataset: d, index });
    });
    return out;
  }

  state(): MixtureState {
    return { orders: [...this.orders] };
  }
}
