/** One rung's held-out accuracy, smallest rung first. */
export interface RungAccuracy {
  readonly scale: string;
  readonly accuracy: number;
}

/** The paired bootstrap test of the largest rung against the smallest. */
export interface PairedAccuracy {
  readonly delta: number;
  readonly pValue: number;
  readonly examples: number;
}

/**
 * The demo's closing sentence: what the ladder shows, in one sentence, with the paired test, and
 * where to see it in the app. Says plainly when scale did not pay (not rising, or not significant).
 */
export function demoVerdict(
  rungs: readonly RungAccuracy[],
  paired: PairedAccuracy | null,
  compareUrl: string,
): string {
  if (rungs.length < 2 || !paired) {
    return `Too few finished rungs to compare scales; see the runs in the app's Compare page (${compareUrl}).`;
  }
  const first = rungs[0]!;
  const last = rungs.at(-1)!;
  const chain = rungs.map((r) => `${r.scale} ${r.accuracy.toFixed(3)}`);
  const rising = rungs.every((r, i) => i === 0 || r.accuracy > rungs[i - 1]!.accuracy);
  const test = `paired bootstrap p = ${paired.pValue.toFixed(3)} over ${paired.examples} test examples`;
  const sign = paired.delta >= 0 ? '+' : '';
  const see = `the Scaling view of the app's Compare page shows it against parameters (${compareUrl})`;
  if (rising && paired.delta > 0 && paired.pValue < 0.05) {
    return `Scale pays: accuracy rises with every rung (${chain.join(' < ')}), and ${last.scale} beats ${first.scale} by ${sign}${paired.delta.toFixed(3)} (${test}); ${see}.`;
  }
  const what = !rising
    ? `accuracy does not rise with every rung (${chain.join(', ')})`
    : `accuracy rises (${chain.join(' < ')}) but ${last.scale} vs ${first.scale} (${sign}${paired.delta.toFixed(3)}) is not significant`;
  return `Scale did not clearly pay in this run: ${what} (${test}); ${see}.`;
}
