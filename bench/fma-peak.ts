import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

/** Measured fp32 peak of this machine (GFLOP/s), from an AVX2 FMA loop compiled at bench time. */
export interface FmaPeak {
  readonly oneCore: number;
  readonly allCores: number;
  readonly cores: number;
}

const source = fileURLToPath(new URL('./fma-peak.c', import.meta.url));
const binary = '/tmp/biomed-fma-peak';

/** Total GFLOP/s of `n` copies of the loop started together (each prints its own rate). */
function concurrent(n: number, iters: number): number {
  const cmd = `${Array.from({ length: n }, () => `${binary} ${iters} &`).join(' ')} wait`;
  const out = execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { gflops: number }).gflops)
    .reduce((s, x) => s + x, 0);
}

/** Best of three runs on one core and on all cores at once (gcc -O2 -mfma -mavx2). */
export function measureFmaPeak(): FmaPeak {
  execFileSync('gcc', ['-O2', '-mfma', '-mavx2', source, '-o', binary]);
  const cores = availableParallelism();
  const iters = 150_000_000;
  const best = (n: number) => Math.max(concurrent(n, iters), concurrent(n, iters), concurrent(n, iters));
  return { oneCore: best(1), allCores: best(cores), cores };
}
