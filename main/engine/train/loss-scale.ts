import { halfMatMuls } from '#main/engine/kernels/own-kernels';

/**
 * Dynamic loss scaling for f16 matrix products (BIOMED_WEBGPU_PRECISION=f16): the loss is
 * multiplied by `scale` before backward, so small gradients survive f16's range; the gradients
 * are divided by it again (through the update's gradient multiplier, no extra pass) before
 * clipping and AdamW. An update whose loss or gradient sum of squares is not finite (an f16
 * overflow: half.ts turns it into Inf) is skipped, changes no weight, and halves the scale;
 * after `growthInterval` good updates in a row the scale doubles. The overflow is seen on the one
 * read of [loss, gradient sum of squares] that every update already makes (step.ts).
 */
export interface LossScaleConfig {
  /** The first scale (a power of two; PyTorch's GradScaler starts at 2^16). */
  readonly init: number;
  /** Good updates in a row before the scale doubles. */
  readonly growthInterval: number;
  /** Below this an overflow is a real non-finite loss, not a scale too large: the step throws. */
  readonly minScale: number;
  readonly maxScale: number;
}

export const DEFAULT_LOSS_SCALE: LossScaleConfig = {
  init: 2 ** 15,
  growthInterval: 1000,
  minScale: 2 ** -10,
  maxScale: 2 ** 24,
};

/** The scaler's state: kept per trainer state, across updates. */
export interface LossScaleState {
  scale: number;
  /** Good updates since the last change of scale. */
  good: number;
  readonly config: LossScaleConfig;
}

const scalers = new WeakMap<object, LossScaleState>();

/**
 * The scaler of `owner` (the trainer's AdamState: the scale is optimizer state, and outlives the
 * TrainerState objects a session makes per call) for this update, or undefined when loss scaling is off:
 * `option` false turns it off, a config turns it on, undefined means on exactly when the matrix
 * products run in f16 now.
 */
export function lossScaler(
  owner: object,
  option: LossScaleConfig | false | undefined,
): LossScaleState | undefined {
  if (option === false || (option === undefined && !halfMatMuls())) return undefined;
  let s = scalers.get(owner);
  if (!s) {
    const config = option ?? DEFAULT_LOSS_SCALE;
    s = { scale: config.init, good: 0, config };
    scalers.set(owner, s);
  }
  return s;
}

/** After an update: halve on overflow (returns false when the scale is already at its floor), else count and grow. */
export function updateScale(s: LossScaleState, overflow: boolean): boolean {
  if (overflow) {
    if (s.scale / 2 < s.config.minScale) return false;
    s.scale /= 2;
    s.good = 0;
    return true;
  }
  s.good += 1;
  if (s.good >= s.config.growthInterval) {
    s.scale = Math.min(s.scale * 2, s.config.maxScale);
    s.good = 0;
  }
  return true;
}
