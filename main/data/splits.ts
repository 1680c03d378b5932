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
  const draw: Split[] = [];
  if (!present.has('validation') && options.validationFraction > 0) draw.push('validation');
  if (!present.has('test') && options.testFraction > 0) draw.push('test');
  if (draw.length === 0) return { splits, official };

  // Groups eligible for drawing: those whose examples are all in train (official or unassigned).
  const groupSize = new Map<string, number>();
  const blocked = new Set<string>();
  items.forEach((item, k) => {
    if (splits[k] !== 'train') blocked.add(item.group);
    groupSize.set(item.group, (groupSize.get(item.group) ?? 0) + 1);
  });
  const eligible = [...groupSize.keys()].filter((g) => !blocked.has(g)).sort();
  const pool = shuffled(eligible, mulberry32(options.seed));
  const poolTotal = pool.reduce((n, g) => n + groupSize.get(g)!, 0);
  const fractionOf = (s: Split) => (s === 'validation' ? options.validationFraction : options.testFraction);
  const trainTotal = splits.filter((s) => s === 'train').length;
  const target = new Map(draw.map((s) => [s, Math.round(trainTotal * fractionOf(s))]));
  const moved = new Map<string, Split>();
  // A drawn group never takes the last training examples: a folder of copies of one image (one
  // group) stays in train instead of becoming a validation split with nothing to train on.
  let trainLeft = trainTotal;
  let cursor = 0;
  for (const s of draw) {
    let taken = 0;
    const want = Math.min(target.get(s)!, poolTotal);
    while (cursor < pool.length && taken < want) {
      const g = pool[cursor++]!;
      const size = groupSize.get(g)!;
      if (size >= trainLeft) continue;
      moved.set(g, s);
      taken += size;
      trainLeft -= size;
    }
  }
  items.forEach((item, k) => {
    const s = moved.get(item.group);
    if (s) splits[k] = s;
  });
  return { splits, official };
}
