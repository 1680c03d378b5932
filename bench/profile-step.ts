// Per-kernel time of one train step: npx tsx bench/profile-step.ts [preset] [backend]
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, parseBackendName } from '#main/engine/backend/index';
import type { PresetName } from '#shared/model/presets';
import { DEFAULT_WORKLOAD, makeTrainStep } from './train-step-tfjs';

const preset = (process.argv[2] ?? 'cpu-s') as PresetName;
const info = await initBackend({ prefer: parseBackendName(process.argv[3]) ?? 'wasm', strict: true });
const h = makeTrainStep(preset, DEFAULT_WORKLOAD);
await h.step();
await h.step();
const t0 = performance.now();
await h.step();
console.log(`${preset} on ${info.name}: step ${(performance.now() - t0).toFixed(0)} ms`);

// Time each kernel by wrapping every registered kernel function of the backend.
const totals = new Map<string, { ms: number; n: number }>();
for (const k of tf.getKernelsForBackend(info.name)) {
  const f = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, info.name);
  tf.registerKernel({
    ...k,
    kernelFunc: ((args: never) => {
      // CPU time, not wall time: the machine is shared, and wasm runs on this thread only.
      const s = process.cpuUsage();
      const out = f(args);
      const e = totals.get(k.kernelName) ?? { ms: 0, n: 0 };
      const d = process.cpuUsage(s);
      e.ms += (d.user + d.system) / 1000;
      e.n++;
      totals.set(k.kernelName, e);
      return out;
    }) as typeof f,
  });
}
const t1 = performance.now();
const c1 = process.cpuUsage();
await h.step();
const wall = performance.now() - t1;
const cpu = process.cpuUsage(c1);
const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms);
const kernelMs = rows.reduce((s, [, v]) => s + v.ms, 0);
const calls = rows.reduce((s, [, v]) => s + v.n, 0);
console.log(
  `profiled step ${wall.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU; in kernels ${kernelMs.toFixed(0)} ms CPU (${calls} kernel calls)`,
);
for (const [name, v] of rows.slice(0, 25))
  console.log(`${name.padEnd(24)} ${v.ms.toFixed(1).padStart(8)} ms ${String(v.n).padStart(6)} calls`);
h.dispose();
