import { mulberry32 } from '#shared/random';

// The generator itself is shared/random.ts; this is what the engine adds to it.

/** Fills `out` with Normal(0, std) samples (Box-Muller on mulberry32). */
export function fillNormal(out: Float32Array, std: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  for (let i = 0; i < out.length; i += 2) {
    const u = 1 - rand();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    const th = 2 * Math.PI * rand();
    out[i] = r * Math.cos(th);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(th);
  }
  return out;
}
