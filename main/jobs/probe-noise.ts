import type { BackendInfo, BackendProbe } from '#main/engine/backend/index';

/**
 * Lines native GPU loaders print while the backend probe looks for WebGPU (Dawn asking the Vulkan
 * loader for an instance on a machine without a driver): noise in a run's log, not the run's.
 */
const NOISE = [/vkCreateInstance/i, /\bvulkan\b/i, /\[Loader Message\]/i];

/** True for a stderr line that is the backend probe's loader noise. */
export function isProbeNoise(line: string): boolean {
  return NOISE.some((re) => re.test(line));
}

/**
 * Filters a worker's stderr: drops probe noise (the worker says in words which backends were not
 * found, {@link backendsNote}).
 */
export function probeFilter(): (line: string) => string | null {
  return (line) => (isProbeNoise(line) ? null : line);
}

/** A probe's reason in a few words: "not installed", "no hardware adapter", ... */
function shortReason(p: BackendProbe): string {
  const r = p.reason ?? '';
  if (/^not tried/.test(r)) return 'not tried';
  const missing = /cannot find (?:module|package) '([^']+)'/i.exec(r);
  if (missing)
    return missing[1]!.endsWith('.node') ? 'installed without its native binding' : 'not installed';
  if (/not loadable/i.test(r)) return 'installed but does not load';
  if (/only a software adapter/i.test(r)) return 'only a software adapter';
  if (/no WebGPU adapter/i.test(r)) return 'no hardware adapter';
  return r.split(/[(:;]/)[0]!.trim().slice(0, 60) || 'failed';
}

/**
 * The one line a run's log says about the backend probe: every backend that was not found, why,
 * and the one in use. Backends not tried (an earlier one was chosen) are not listed.
 */
export function backendsNote(info: Pick<BackendInfo, 'name' | 'available'>): string {
  const missing = info.available.filter((p) => !p.ok && !/^not tried/.test(p.reason ?? ''));
  if (missing.length === 0) return `Backends: using ${info.name}`;
  const list = missing.map((p) => `${p.name} (${shortReason(p)})`).join(', ');
  return `Backends not available here: ${list}; using ${info.name}`;
}
