/**
 * Sustained training throughput (FLOP/s) per backend on a machine like this one, for the time
 * estimates of the services and the New-experiment page alike: measured for wasm (FINDINGS.md:
 * 11 GFLOP/s with the patched matmul; ~12 measured for cpu-xs VQA-RAD steps) and the JavaScript
 * backend (0.5 GFLOP/s); tfjs-node and CUDA are conservative guesses, to be re-measured. Rough by
 * design: it ranks the rungs and tells minutes from days.
 */
export const BACKEND_FLOPS: Readonly<Record<string, number>> = {
  'node-gpu': 2e12,
  webgpu: 1e12, // a guess until bench/gpu has run; the services use the measured rate
  tensorflow: 4e10,
  wasm: 1.1e10,
  cpu: 5e8,
};

/** The effective FLOP/s of a backend by name (unknown names count as the JavaScript backend). */
export function backendFlops(backend: string): number {
  const key = Object.keys(BACKEND_FLOPS).find((k) => backend.toLowerCase().includes(k));
  return BACKEND_FLOPS[key ?? 'cpu'] ?? BACKEND_FLOPS['cpu']!;
}
