import type { PredictionView } from '#shared/domain/evaluation';

/** One example with each run's prediction (null where a run has none for it). */
export interface JoinedExample {
  readonly exampleId: number;
  readonly question: string;
  readonly reference: string;
  readonly imageHash: string | null;
  readonly predictions: readonly (PredictionView | null)[];
}

const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/** Joins runs' predictions by example (in the first run's order); optionally only disagreements. */
export function joinPredictions(
  perRun: readonly (readonly PredictionView[] | null)[],
  onlyDisagreements: boolean,
): JoinedExample[] {
  const maps = perRun.map((p) => new Map((p ?? []).map((x) => [x.exampleId, x])));
  const order: number[] = [];
  const seen = new Set<number>();
  for (const p of perRun)
    for (const x of p ?? [])
      if (!seen.has(x.exampleId)) {
        seen.add(x.exampleId);
        order.push(x.exampleId);
      }
  const out: JoinedExample[] = [];
  for (const id of order) {
    const predictions = maps.map((m) => m.get(id) ?? null);
    const any = predictions.find((p) => p !== null)!;
    const answers = new Set(predictions.filter((p) => p !== null).map((p) => norm(p!.prediction)));
    if (onlyDisagreements && answers.size < 2) continue;
    out.push({
      exampleId: id,
      question: any.inputs.question ?? any.source,
      reference: any.reference,
      imageHash: any.imageHash,
      predictions,
    });
  }
  return out;
}
