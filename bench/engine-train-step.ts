// Train-step speed per CPU rung and backend, beside PyTorch on the same architecture and shapes.
//   npx tsx bench/engine-train-step.ts [--rungs cpu-xs,cpu-s,cpu-m] [--backends wasm,cpu]
//     [--steps 5] [--warmup 2] [--batch 8] [--src 32] [--tgt 32] [--no-image] [--torch-threads 1,2]
//     [--wasm-threads 1,2] [--before DIR] [--rounds 1]
// --wasm-threads runs the tfjs child once per WebAssembly thread count (BIOMED_WASM_THREADS;
// default: the engine's own choice); --before DIR also runs DIR's bench/train-step-child.ts (a
// checkout of an earlier commit, with node_modules) so before and after come from one run.
// --rounds R runs every tfjs variant of a rung R times, in turn (ABBA: the order reversed every other
// round, so drift and the process before do not favour one variant); a variant's step is then the
// median of its rounds' medians, and the line says in how many rounds 2 threads beat 1.
// Each measurement runs in its own process (so peak RSS is its own); PyTorch runs through
// bench/torch_peer.py under /usr/bin/python3 with OMP_WAIT_POLICY=passive.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type PresetName, presetConfig } from '#shared/model/presets';
import { storedWeights } from '#shared/model/weight-shapes';
import { measureFmaPeak } from './fma-peak';

const here = fileURLToPath(new URL('.', import.meta.url));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const rungs = arg('rungs', 'cpu-xs,cpu-s,cpu-m').split(',') as PresetName[];
const backends = arg('backends', 'wasm').split(',');
const steps = Number(arg('steps', '5'));
const warmup = Number(arg('warmup', '2'));
const workload = {
  batch: Number(arg('batch', '8')),
  sourceLength: Number(arg('src', '32')),
  targetLength: Number(arg('tgt', '32')),
  withImage: !process.argv.includes('--no-image'),
};
const torchThreads = arg('torch-threads', '1,2').split(',').map(Number);
const wasmThreads = arg('wasm-threads', '')
  .split(',')
  .filter((t) => t !== '');
const beforeDir = arg('before', '');
const rounds = Number(arg('rounds', '1'));
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`--rounds ${arg('rounds', '')} is not a whole number >= 1`);
// module: bench/torch_peer.py's nn.Module twin (training-mode BN, dropout, drop-path);
// reference: bench/reference/ofa_reference.py made trainable (exact architecture, eval BN, no dropout).
const torchImpls = arg('torch-impl', 'module,reference').split(',');

interface TfjsResult {
  threads?: number;
  median_ms: number;
  median_cpu_ms: number;
  times_ms: number[];
  flops: number;
  kernel_calls?: number;
  top_kernels?: [string, number][];
  loss: number;
  tensor_growth_per_step: number;
  wasm_heap_bytes: number;
  peak_rss_mb: number;
  kernels: string[];
}
interface TorchResult {
  impl: string;
  median_ms: number;
  median_cpu_ms: number;
  times_ms: number[];
  params: number;
  peak_rss_mb: number;
  threads: number;
  torch: string;
}

function lastJsonLine<T>(out: string): T {
  const line = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (!line) throw new Error(`no JSON result in:\n${out.slice(-2000)}`);
  return JSON.parse(line) as T;
}

function runTfjs(preset: PresetName, backend: string, threads?: string, dir?: string): TfjsResult {
  const child = JSON.stringify({ preset, backend, steps, warmup, ...workload });
  const script = dir ? `${dir}/bench/train-step-child.ts` : `${here}train-step-child.ts`;
  const env = threads ? { ...process.env, BIOMED_WASM_THREADS: threads } : process.env;
  const out = execFileSync('npx', ['tsx', script, child], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'ignore'],
    env,
    ...(dir ? { cwd: dir } : {}),
  });
  return lastJsonLine<TfjsResult>(out);
}

function runTorch(preset: PresetName, threads: number, impl: string): TorchResult | undefined {
  if (!existsSync('/usr/bin/python3')) return undefined;
  const weightsFile = `/tmp/biomed-bench-weights-${preset}.json`;
  const specs = storedWeights(presetConfig(preset)).map((w) => [w.name, w.shape, w.kind]);
  writeFileSync(weightsFile, JSON.stringify(specs));
  const args = [
    `${here}torch_peer.py`,
    '--impl',
    impl,
    '--weights',
    weightsFile,
    '--config',
    JSON.stringify(presetConfig(preset)),
    '--batch',
    String(workload.batch),
    '--src',
    String(workload.sourceLength),
    '--tgt',
    String(workload.targetLength),
    '--image',
    workload.withImage ? '1' : '0',
    '--threads',
    String(threads),
    '--steps',
    String(steps),
    '--warmup',
    String(warmup),
  ];
  try {
    const out = execFileSync('/usr/bin/python3', args, {
      encoding: 'utf8',
      env: {
        ...process.env,
        OMP_WAIT_POLICY: 'passive',
        OMP_NUM_THREADS: String(threads),
        OPENBLAS_NUM_THREADS: String(threads),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return lastJsonLine<TorchResult>(out);
  } catch (err) {
    console.log(`  PyTorch peer failed: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

const fmt = (x: number, d = 0) => x.toFixed(d);
console.log(
  `date ${new Date().toISOString()}  load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(`workload ${JSON.stringify(workload)}  steps ${steps} (median) after ${warmup} warm-up`);
const measured = measureFmaPeak();
// On a loaded machine the FMA loop under-measures; --peak-gflops sets the all-core peak instead
// (FINDINGS.md, idle machine: 102 per core, 204.5 for both).
const peakArg = Number(arg('peak-gflops', '0'));
const peak = peakArg > 0 ? { ...measured, allCores: peakArg, oneCore: peakArg / measured.cores } : measured;
console.log(
  `fp32 peak (FMA loop, measured now): ${fmt(measured.oneCore, 1)} GFLOP/s one core, ${fmt(measured.allCores, 1)} GFLOP/s all ${measured.cores} cores` +
    (peakArg > 0 ? `; MFU below uses --peak-gflops ${peakArg}` : ''),
);

for (const preset of rungs) {
  console.log(`\n== ${preset} ==`);
  const torch = new Map<string, TorchResult | undefined>();
  for (const impl of torchImpls)
    for (const t of torchThreads) torch.set(`${impl}/${t}`, runTorch(preset, t, impl));
  const variants: { label: string; backend: string; threads?: string; dir?: string }[] = [];
  for (const backend of backends) {
    if (beforeDir)
      for (const t of backend === 'wasm' && wasmThreads.length > 0 ? wasmThreads : ['1'])
        variants.push({
          label: `${backend} before (${beforeDir}) ${t} thread(s)`,
          backend,
          threads: t,
          dir: beforeDir,
        });
    if (wasmThreads.length === 0 || backend !== 'wasm') variants.push({ label: backend, backend });
    else
      for (const t of wasmThreads) variants.push({ label: `${backend} ${t} thread(s)`, backend, threads: t });
  }
  // Every variant R times in turn, the order reversed every other round.
  const results = variants.map(() => [] as TfjsResult[]);
  for (let round = 0; round < rounds; round++) {
    const order = variants.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const { backend, threads, dir } = variants[i]!;
      results[i]!.push(runTfjs(preset, backend, threads, dir));
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  for (const [vi, { label }] of variants.entries()) {
    const all = results[vi]!;
    const r: TfjsResult = {
      ...all[0]!,
      median_ms: median(all.map((x) => x.median_ms)),
      median_cpu_ms: median(all.map((x) => x.median_cpu_ms)),
      peak_rss_mb: Math.max(...all.map((x) => x.peak_rss_mb)),
      times_ms: all.flatMap((x) => x.times_ms),
    };
    const gflops = r.flops / 1e9;
    // Rate from CPU time for the single-threaded backends: robust to other load on the machine.
    const rate = gflops / (Math.min(r.median_ms, r.median_cpu_ms) / 1000);
    console.log(
      `tfjs ${label}${r.threads ? ` [${r.threads} thr]` : ''} load ${loadavg()[0]!.toFixed(1)}: step ${fmt(r.median_ms)} ms wall (${r.times_ms.join(' ')}), ${fmt(r.median_cpu_ms)} ms CPU  ${fmt(gflops, 2)} GFLOP/step  ` +
        `${fmt(rate, 1)} GFLOP/s (CPU time)  MFU ${fmt((100 * rate) / peak.allCores, 1)}% of all cores ` +
        `(${fmt((100 * rate) / peak.oneCore, 1)}% of one)  peak RSS ${fmt(r.peak_rss_mb)} MB  ` +
        `wasm heap ${fmt(r.wasm_heap_bytes / 2 ** 20)} MB  tensors/step +${r.tensor_growth_per_step}  ` +
        `kernel calls/step ${r.kernel_calls ?? 'n/a (child does not count)'}  loss ${r.loss}`,
    );
    if (r.top_kernels) console.log(`  most called: ${r.top_kernels.map(([n, c]) => `${n} ${c}`).join(', ')}`);
    if (rounds > 1) {
      console.log(
        `  ${rounds} rounds: step medians ${all.map((x) => fmt(x.median_ms, 1)).join(' ')} ms (median ${fmt(r.median_ms, 1)})`,
      );
      // against the 1-thread variant of the same code, round by round
      const one = variants.findIndex(
        (v) => v.threads === '1' && v.dir === variants[vi]!.dir && v.backend === variants[vi]!.backend,
      );
      if (one >= 0 && one !== vi) {
        const wins = all.filter((x, k) => x.median_ms < results[one]![k]!.median_ms).length;
        console.log(
          `  faster than 1 thread in ${wins} of ${rounds} rounds (by ${all.map((x, k) => fmt(results[one]![k]!.median_ms - x.median_ms, 1)).join(' ')} ms)`,
        );
      }
    }
    for (const [key, p] of torch) {
      if (!p) continue;
      const threads = p.threads;
      void key;
      console.log(
        `  vs PyTorch ${p.torch} ${p.impl} ${threads} thread(s): ${fmt(p.median_ms)} ms wall (${p.times_ms.join(' ')}), ` +
          `${fmt(p.median_cpu_ms)} ms CPU  ratio tfjs/torch ${fmt(r.median_ms / p.median_ms, 2)}x wall` +
          (threads === 1 ? `, ${fmt(r.median_cpu_ms / p.median_cpu_ms, 2)}x CPU` : '') +
          `  torch ${fmt(gflops / (p.median_ms / 1000), 1)} GFLOP/s  ` +
          `peak RSS ${fmt(p.peak_rss_mb)} MB  params ${p.params}`,
      );
    }
  }
}
