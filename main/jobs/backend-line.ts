/** The suffix the dispatch count takes on a run's backend line. */
const DISPATCHES = /; [\d,]+ WebGPU dispatches\/step$/;

/**
 * A run's backend line (`webgpu (4.22.0)`) with the WebGPU dispatches per train step appended
 * (`webgpu (4.22.0); 4,506 WebGPU dispatches/step`), replacing a figure appended before.
 */
export function withDispatches(line: string | null, dispatchesPerStep: number): string {
  const base = (line ?? 'webgpu').replace(DISPATCHES, '');
  return `${base}; ${dispatchesPerStep.toLocaleString('en')} WebGPU dispatches/step`;
}
