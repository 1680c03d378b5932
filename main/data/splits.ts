import type { Split } from '#shared/domain/dataset';
import { mulberry32, shuffled } from '#shared/random';

/** What the split drawer needs of an example. */
export interface SplitItem {
  readonly split?: Split;
  /** Examples with the same group key always land in the same split (image, patient or study). */
  readonly group: string;
}

/** Options of `assignSplits`. */
export interface SplitOptions {
  readonly seed: number;
  readonly validationFraction: number;
  readonly testFraction: number;
}

/** The splits drawn when the dataset has none of them: validation and test, where their fraction is above 0. */
export function splitsToDraw(present: ReadonlySet<Split>, options: SplitOptions): Split[] {
  const draw: Split[] = [];
  if (!present.has('validation') && options.validationFraction > 0) draw.push('validation');
  if (!present.has('test') && options.testFraction > 0) draw.push('test');
  return draw;
}

/**
 * Draws the `draw` splits from the groups whose examples are all in train: `sizes[i]` is the
 * number of examples of the i-th such group in name order, `trainTotal` the examples in train.
 * The groups are taken from a seeded shuffle until each split has its fraction of train.
 * Returns the split of each drawn group, by its index; the others stay in train.
 */
export function drawGroups(
  sizes: ArrayLike<number>,
  trainTotal: number,
  draw: readonly Split[],
  options: SplitOptions,
): Map<number, Split> {
  const pool = shuffled(
    Array.from({ length: sizes.length }, (_, i) => i),
    mulberry32(options.seed),
  );
  let poolTotal = 0;
  for (let i = 0; i < sizes.length; i++) poolTotal += sizes[i]!;
  const fractionOf = (s: Split) => (s === 'validation' ? options.validationFraction : options.testFraction);
  const moved = new Map<number, Split>();
  // A drawn group never takes the last training examples: a folder of copies of one image (one
  // group) stays in train instead of becoming a validation split with nothing to train on.
  let trainLeft = trainTotal;
  let cursor = 0;
  for (const s of draw) {
    let taken = 0;
    const want = Math.min(Math.round(trainTotal * fractionOf(s)), poolTotal);
    while (cursor < pool.length && taken < want) {
      const g = pool[cursor++]!;
      const size = sizes[g]!;
      if (size >= trainLeft) continue;
      moved.set(g, s);
      taken += size;
      trainLeft -= size;
    }
  }
  return moved;
}

/**
 * Keeps official splits and draws the missing ones, by group, from a seeded shuffle:
 * - no split at all: train / validation / test by the two fractions (of all examples);
 * - official test but no validation: validation drawn from train (that fraction of train);
 * - official train and validation but no test: test drawn from train.
 * Returns the split of each item and which splits were official.
 */
export function assignSplits(
  items: readonly SplitItem[],
  options: SplitOptions,
): { splits: Split[]; official: Split[] } {
  const present = new Set(items.map((i) => i.split).filter((s): s is Split => s !== undefined));
  const official = (['train', 'validation', 'test'] as const).filter((s) => present.has(s));
  const splits: Split[] = items.map((i) => i.split ?? 'train');
  const draw = splitsToDraw(present, options);
  if (draw.length === 0) return { splits, official };

  // Groups eligible for drawing: those whose examples are all in train (official or unassigned).
  const groupSize = new Map<string, number>();
  const blocked = new Set<string>();
  items.forEach((item, k) => {
    if (splits[k] !== 'train') blocked.add(item.group);
    groupSize.set(item.group, (groupSize.get(item.group) ?? 0) + 1);
  });
  const eligible = [...groupSize.keys()].filter((g) => !blocked.has(g)).sort();
  const trainTotal = splits.filter((s) => s === 'train').length;
  const drawn = drawGroups(
    eligible.map((g) => groupSize.get(g)!),
    trainTotal,
    draw,
    options,
  );
  const moved = new Map([...drawn].map(([i, s]) => [eligible[i]!, s]));
  items.forEach((item, k) => {
    const s = moved.get(item.group);
    if (s) splits[k] = s;
  });
  return { splits, official };
}
