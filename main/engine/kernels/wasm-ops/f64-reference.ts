/**
 * Float64 references of the single-pass wasm kernels' formulas, for their tests (wasm-ops.ts): the
 * kernels are not bit-identical to the kernels they replace, so the tests bound their distance from
 * these instead.
 */

/** erf(x) to ~1e-9 absolute: its Taylor series below |x| = 5 (terms up to e^25 cancel to ~1e-10), sign(x) above. */
export function erf64(x: number): number {
  const a = Math.abs(x);
  if (a >= 5) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** x / 2 (1 + erf(x / sqrt 2)), with 1 + erf(z) = erfc(-z) from its continued fraction in the far tail. */
export function gelu64(x: number): number {
  return 0.5 * x * onePlusErf64(x * Math.SQRT1_2);
}

/** d gelu / dx = (1 + erf(x / sqrt 2)) / 2 + x e^(-x^2 / 2) / sqrt(2 pi). */
export function geluGrad64(x: number): number {
  return 0.5 * onePlusErf64(x * Math.SQRT1_2) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);
}

/** 1 + erf(z), relative accuracy ~1e-12 also for z << 0 (Lentz's continued fraction of erfc there). */
function onePlusErf64(z: number): number {
  if (z > -3) return 1 + erf64(z);
  const a = -z; // erfc(a) = e^(-a^2) / sqrt(pi) / (a + 1/2 / (a + 1 / (a + 3/2 / (a + ...))))
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + k / 2 / f;
  return Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
}

/**
 * The worst |actual - expected| / (rel |expected| + abs) over the elements (<= 1: all within), and
 * where it is: an assertion message names the element.
 */
export function worstExcess(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rel: number,
  abs: number,
): { excess: number; at: number; actual: number; expected: number } {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let worst = { excess: 0, at: -1, actual: 0, expected: 0 };
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const excess = Number.isNaN(a) ? Infinity : Math.abs(a - e) / (rel * Math.abs(e) + abs);
    if (excess > worst.excess) worst = { excess, at: i, actual: a, expected: e };
  }
  return worst;
}
