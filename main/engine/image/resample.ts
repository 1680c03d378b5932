/**
 * PIL's `Image.resize(..., Image.BICUBIC)` (libImaging/Resample.c), as torchvision's
 * `transforms.Resize` runs it inside every BiomedGPT script: separable, horizontal pass then
 * vertical, the bicubic kernel (a = -0.5) widened by the scale when shrinking (antialiasing),
 * coefficients normalised per output pixel. 8-bit input keeps PIL's fixed-point arithmetic
 * (22-bit coefficients, rounding, clipping to 0..255 after each pass); float input is resampled in
 * floating point (PIL's mode "F").
 */

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);

function bicubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

/** Per output index: the first input index and the (normalised) weights (precompute_coeffs). */
interface Coeffs {
  readonly start: Int32Array;
  readonly weights: readonly Float64Array[];
}

function coefficients(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  const start = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const k = new Float64Array(xmax);
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      k[x] = bicubic((x + xmin - center + 0.5) / filterScale);
      sum += k[x] as number;
    }
    if (sum !== 0) for (let x = 0; x < xmax; x++) k[x] = (k[x] as number) / sum;
    start[xx] = xmin;
    weights.push(k);
  }
  return { start, weights };
}

/** normalize_coeffs_8bpc: weights as rounded fixed-point integers. */
function fixedPoint(c: Coeffs): Coeffs {
  return {
    start: c.start,
    weights: c.weights.map((k) =>
      Float64Array.from(k, (w) => (w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE))),
    ),
  };
}

/** One pass along an axis of a planar [h, w] channel; `horizontal` resamples columns. */
function pass(
  src: Float64Array,
  w: number,
  h: number,
  out: number,
  horizontal: boolean,
  eightBit: boolean,
): Float64Array {
  const c0 = coefficients(horizontal ? w : h, out);
  const c = eightBit ? fixedPoint(c0) : c0;
  const ow = horizontal ? out : w;
  const oh = horizontal ? h : out;
  const dst = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const i = horizontal ? x : y;
      const k = c.weights[i] as Float64Array;
      const s0 = c.start[i] as number;
      let ss = eightBit ? HALF : 0;
      for (let j = 0; j < k.length; j++) {
        const v = horizontal ? src[y * w + s0 + j] : src[(s0 + j) * w + x];
        ss += (v as number) * (k[j] as number);
      }
      dst[y * ow + x] = eightBit ? Math.min(255, Math.max(0, Math.floor(ss / ONE))) : ss;
    }
  }
  return dst;
}

/**
 * Resizes one planar channel ([h, w], values 0..255 when `eightBit`) to [outH, outW], skipping a
 * pass whose size does not change (as PIL does).
 */
export function resampleBicubic(
  plane: Float64Array,
  w: number,
  h: number,
  outW: number,
  outH: number,
  eightBit: boolean,
): Float64Array {
  let cur = plane;
  let cw = w;
  if (outW !== w) {
    cur = pass(cur, cw, h, outW, true, eightBit);
    cw = outW;
  }
  if (outH !== h) cur = pass(cur, cw, h, outH, false, eightBit);
  return cur;
}
