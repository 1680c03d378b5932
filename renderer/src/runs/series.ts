import type { MetricSeries } from '#shared/domain/metric';
import type { Line } from '../charts/align';

/** Points requested per series for display; storage keeps every point. */
export const DISPLAY_POINTS = 1500;

const TITLES: Record<string, string> = {
  loss: 'Training loss',
  'train/loss': 'Training loss',
  train_loss: 'Training loss',
  lr: 'Learning rate',
  'train/lr': 'Learning rate',
  grad_norm: 'Gradient norm',
  'train/grad_norm': 'Gradient norm',
  throughput: 'Throughput (examples/s)',
  examples_per_sec: 'Throughput (examples/s)',
  'train/examples_per_s': 'Throughput (examples/s)',
  val_loss: 'Validation loss',
  'val/loss': 'Validation loss',
};

const ORDER = ['loss', 'lr', 'grad', 'throughput', 'tokens', 'examples', 'val'];

/** A readable chart title for a metric name. */
export function seriesTitle(name: string): string {
  if (/tokens.?per.?s/.test(name)) return 'Throughput (tokens/s)';
  if (/examples.?per.?s/.test(name)) return 'Throughput (examples/s)';
  return TITLES[name] ?? name.replace(/[_/]/g, ' ');
}

/** Evaluation results stored as series (`test/accuracy`, `zeroshot/<dataset>/...`): charted only once they are curves. */
export function isTrainingCurve(s: MetricSeries): boolean {
  return !/^(test|validation|zeroshot)\//.test(s.name) || s.points.length > 1;
}

/** Sorts series so training loss, learning rate, gradient norm and throughput come first. */
export function orderSeries(series: readonly MetricSeries[]): MetricSeries[] {
  const rank = (n: string) => {
    const i = ORDER.findIndex((k) => n.replace(/^train\//, '').startsWith(k));
    return i < 0 ? ORDER.length : i;
  };
  return [...series].sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/** A series as a chart line over steps. */
export function seriesLine(s: MetricSeries, label = s.name): Line {
  return { label, x: s.points.map((p) => p.step), y: s.points.map((p) => p.value) };
}

/** Seconds per step over the last `window` points of a series (from wall times); null if unknown. */
export function secondsPerStep(s: MetricSeries | undefined, window = 20): number | null {
  const pts = s?.points.slice(-window) ?? [];
  if (pts.length < 2) return null;
  const a = pts[0]!;
  const b = pts.at(-1)!;
  const steps = b.step - a.step;
  // Epoch milliseconds (Date.now()) or seconds: tell them apart by magnitude.
  const unit = b.wallTime > 1e11 ? 1000 : 1;
  return steps > 0 && b.wallTime > a.wallTime ? (b.wallTime - a.wallTime) / unit / steps : null;
}
