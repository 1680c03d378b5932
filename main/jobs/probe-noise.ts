/**
 * Lines native GPU loaders print while the backend probe looks for WebGPU (Dawn asking the Vulkan
 * loader for an instance on a machine without a driver): noise in a run's log, not the run's.
 */
const NOISE = [/vkCreateInstance/i, /\bvulkan\b/i, /\[Loader Message\]/i];

/** True for a stderr line that is the backend probe's loader noise. */
export function isProbeNoise(line: string): boolean {
  return NOISE.some((re) => re.test(line));
}

/** The one line said instead of the noise, once per log. */
export const PROBE_NOTE =
  'backends: WebGPU was not found on this machine (no usable Vulkan driver; the loader messages are left out of this log)';

/** Filters a worker's stderr: drops probe noise, says once in words what it meant. */
export function probeFilter(): (line: string) => string | null {
  let said = false;
  return (line) => {
    if (!isProbeNoise(line)) return line;
    if (said) return null;
    said = true;
    return PROBE_NOTE;
  };
}
