import { registerCustomKernels } from '#main/engine/kernels/register';
import { registerGradients } from './gradients';
import { installLeanBackward, uninstallLeanBackward } from './lean-backward';
import { installLeanSaves, uninstallLeanSaves } from './lean-saves';
import { LOADERS } from './loaders';
import {
  BACKEND_ORDER,
  type BackendInfo,
  type BackendName,
  type BackendProbe,
  parseBackendName,
} from './types';
import { AdapterRefusedError } from './webgpu';

export type { BackendInfo, BackendName, BackendProbe, GpuAdapterInfo } from './types';
export { adapterLine, BACKEND_ORDER, parseBackendName } from './types';
export { webgpuPrecisionLine } from './webgpu';

/** Options for {@link initBackend}. */
export interface InitBackendOptions {
  /** Try this backend first (the environment variable BIOMED_BACKEND wins over it). */
  readonly prefer?: BackendName;
  /** Use only this backend; fail instead of falling back. */
  readonly strict?: boolean;
}

let current: Promise<BackendInfo> | undefined;

function failed(name: BackendName, err: unknown): BackendProbe {
  const reason = err instanceof Error ? err.message : String(err);
  return err instanceof AdapterRefusedError
    ? { name, ok: false, reason, adapter: err.adapter }
    : { name, ok: false, reason };
}
let currentKey = '';

function order(first: BackendName | undefined): BackendName[] {
  return first ? [first, ...BACKEND_ORDER.filter((n) => n !== first)] : [...BACKEND_ORDER];
}

async function choose(opts: InitBackendOptions): Promise<BackendInfo> {
  const envRaw = process.env['BIOMED_BACKEND'];
  const forced = parseBackendName(envRaw);
  if (envRaw && !forced) {
    throw new Error(`BIOMED_BACKEND='${envRaw}' is not one of cpu, wasm, tensorflow, webgpu, node-gpu`);
  }
  const first = forced ?? opts.prefer;
  const strict = forced !== undefined || opts.strict === true;
  const candidates = strict && first ? [first] : order(first);
  await registerGradients();
  // BIOMED_LEAN_BACKWARD=0 keeps tfjs' own backward pass (same results, higher peak memory)
  if (process.env['BIOMED_LEAN_BACKWARD'] === '0') uninstallLeanBackward();
  const lean = process.env['BIOMED_LEAN_BACKWARD'] === '0' ? 'off' : installLeanBackward();
  // BIOMED_LEAN_SAVES=0 keeps tfjs' Identity kernel call per tensor saved for backward (same results)
  if (process.env['BIOMED_LEAN_SAVES'] === '0') uninstallLeanSaves();
  const saves = process.env['BIOMED_LEAN_SAVES'] === '0' ? 'off' : installLeanSaves();
  const tried: BackendProbe[] = [];
  for (const name of candidates) {
    try {
      // A backend the caller named (env or preference) may use a software adapter; auto-choice may not.
      const loaded = await LOADERS[name](name === first);
      tried.push({ name, ok: true, ...(loaded.adapter ? { adapter: loaded.adapter } : {}) });
      const kernels = [
        ...registerCustomKernels(name === 'node-gpu' ? 'tensorflow' : name),
        ...(lean === undefined ? ['backward:lean'] : []),
        ...(saves === undefined ? ['saves:shared'] : []),
      ];
      const notTried = BACKEND_ORDER.filter((n) => !tried.some((t) => t.name === n)).map(
        (n): BackendProbe => ({ name: n, ok: false, reason: `not tried: '${name}' was chosen first` }),
      );
      return { name, ...loaded, available: [...tried, ...notTried], kernels };
    } catch (err) {
      tried.push(failed(name, err));
    }
  }
  const why = tried.map((t) => `${t.name}: ${t.reason}`).join('; ');
  throw new Error(`no TensorFlow.js backend could be started (${why})`);
}

/**
 * Picks and activates the best backend (node-gpu, webgpu on a hardware adapter, tensorflow, wasm,
 * cpu), registers the engine's
 * custom kernels for it, and reports what it found. Idempotent: repeated calls with the same
 * options return the same result.
 */
export function initBackend(opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const key = `${process.env['BIOMED_BACKEND'] ?? ''}|${opts.prefer ?? ''}|${opts.strict === true}`;
  if (!current || key !== currentKey) {
    currentKey = key;
    current = choose(opts);
    current.catch(() => {
      current = undefined;
    });
  }
  return current;
}

/**
 * Tries every backend in preference order and reports which ones work and why the others fail,
 * then leaves the engine on the best working one (for `biomed model backends` and Settings).
 */
export async function listBackends(): Promise<BackendInfo> {
  const probes: BackendProbe[] = [];
  for (const name of BACKEND_ORDER) {
    try {
      const loaded = await LOADERS[name]();
      probes.push({ name, ok: true, ...(loaded.adapter ? { adapter: loaded.adapter } : {}) });
    } catch (err) {
      probes.push(failed(name, err));
    }
  }
  current = undefined;
  const chosen = await initBackend();
  return { ...chosen, available: probes };
}
