// Relaxed-SIMD FMA vs f32x4 mul+add, and a GEMM of our own vs tfjs's XNNPACK (issue 13).
//   npx tsx bench/wasm-fma/run.ts [--reps 5] [--shapes 256x128x512,...] [--tiles 6x8,4x8] [--no-peak]
//   npx tsx bench/wasm-fma/run.ts --profile cpu-s     (the matmul shapes of one train step, by MACs)
// Builds build/gemm-{simd,relaxed}.wasm with build.sh when they are missing (clang-16, lld-16).
// One thread; GFLOP/s from CPU time of this process (the machine is shared), best of --reps.
// Every product is checked against XNNPACK's and a float64 reference on sampled entries: a wrong
// product exits with status 1.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// Before any wasm is compiled: V8 reads the feature flag when it validates a module.
setFlagsFromString('--experimental-wasm-relaxed-simd');
process.env['BIOMED_WASM_THREADS'] = '1';
// tf.matMul = XNNPACK for the GEMM table; the engine's own GEMM (main/engine/kernels/wasm-gemm.ts)
// is timed apart. --profile runs the engine as configured (BIOMED_WASM_GEMM, default fma).
if (!process.argv.includes('--profile')) process.env['BIOMED_WASM_GEMM'] = 'xnnpack';

const tf = await import('@tensorflow/tfjs-core');
const { initBackend } = await import('#main/engine/backend/index');
const { setWasmGemmKind } = await import('#main/engine/kernels/wasm-gemm');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const reps = Number(arg('reps') ?? '5');
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface Gemm {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  reset(): void;
  peak(iters: number): number;
  probe(): number;
  pack(nr: number, b: number, k: number, n: number, bp: number): void;
  gemm(tile: string, a: number, bp: number, c: number, m: number, k: number, n: number): void;
}

function buildIfMissing(): void {
  if (existsSync(here('./build/gemm-simd.wasm')) && existsSync(here('./build/gemm-relaxed.wasm'))) return;
  execFileSync('bash', [here('./build.sh')], { stdio: 'inherit' });
}

function loadGemm(variant: 'simd' | 'relaxed'): Gemm {
  const bytes = readFileSync(here(`./build/gemm-${variant}.wasm`));
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const ex = inst.exports as Record<string, unknown>;
  const fn = (name: string) => {
    const f = ex[name];
    if (typeof f !== 'function') throw new Error(`gemm-${variant}.wasm lacks export ${name}`);
    return f as (...xs: number[]) => number;
  };
  const alloc = fn('wf_alloc');
  return {
    memory: ex['memory'] as WebAssembly.Memory,
    alloc: (bytes) => {
      const p = alloc(bytes);
      if (p === 0) throw new Error(`gemm-${variant}.wasm: cannot grow memory by ${bytes} bytes`);
      return p;
    },
    reset: fn('wf_reset'),
    peak: fn('wf_peak'),
    probe: fn('wf_madd_probe'),
    pack: (nr, b, k, n, bp) => fn(`wf_pack_b_${nr}`)(b, k, n, bp),
    gemm: (tile, a, bp, c, m, k, n) => {
      const [mr, nr] = tile.split('x').map(Number) as [number, number];
      fn(`wf_gemm_${mr}x${nr / 4}`)(a, bp, c, m, k, n);
    },
  };
}

/** Best CPU milliseconds per call of `reps` rounds of `inner` calls (>= ~40 ms a round); `round`
 * prepares a round outside the timed region. */
function bestRoundsMs(round: (inner: number) => { run: (i: number) => void; done: () => void }): number {
  const probe = round(2);
  probe.run(0);
  const t0 = performance.now();
  probe.run(1);
  const once = performance.now() - t0;
  probe.done();
  const inner = Math.max(1, Math.ceil(40 / Math.max(once, 0.01)));
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const { run, done } = round(inner);
    const c0 = process.cpuUsage();
    for (let i = 0; i < inner; i++) run(i);
    const d = process.cpuUsage(c0);
    done();
    best = Math.min(best, (d.user + d.system) / 1000 / inner);
  }
  return best;
}

const bestMs = (f: () => void) => bestRoundsMs(() => ({ run: f, done: () => {} }));

// ---------------------------------------------------------------- header
buildIfMissing();
const simd = loadGemm('simd');
let relaxed: Gemm | undefined;
try {
  relaxed = loadGemm('relaxed');
} catch (e) {
  console.log(`relaxed-SIMD module does not load: ${(e as Error).message}`);
}
console.log(
  `date ${new Date().toISOString()}  node ${process.version}  cores ${availableParallelism()}  load average ${load()}`,
);
// Without the flag (a fresh node): the plain module validates, the relaxed one does not.
const validatesPlain = (file: string) =>
  execFileSync(
    process.execPath,
    [
      '-e',
      `process.stdout.write(String(WebAssembly.validate(require('fs').readFileSync(${JSON.stringify(file)}))))`,
    ],
    { encoding: 'utf8' },
  );
console.log(
  `plain node validates gemm-simd.wasm: ${validatesPlain(here('./build/gemm-simd.wasm'))}, gemm-relaxed.wasm: ${validatesPlain(here('./build/gemm-relaxed.wasm'))}; with --experimental-wasm-relaxed-simd (v8.setFlagsFromString) gemm-relaxed.wasm loads: ${relaxed !== undefined}`,
);
// (1 + 2^-12)^2 - (1 + 2^-11) = 2^-24 exactly: 0 when the product is rounded first (mul + add),
// 2^-24 = 5.96e-8 when V8 emits a fused multiply-add.
console.log(
  `madd probe: mul+add ${simd.probe()}, relaxed_madd ${relaxed?.probe() ?? '-'} (5.96e-8 = fused, 0 = rounded twice)`,
);

// ---------------------------------------------------------------- a. peak
function wasmPeak(g: Gemm): number {
  const iters = 20_000_000; // 12 chains x 4 lanes x 2 flops = 96 flops per iteration
  g.peak(iters / 10);
  let best = 0;
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    g.peak(iters);
    const d = process.cpuUsage(c0);
    best = Math.max(best, (iters * 96) / ((d.user + d.system) / 1e6) / 1e9);
  }
  return best;
}

/** bench/fma-peak.c (256-bit AVX2 FMA, 12 chains) on one core, from its CPU time (bash's `time`). */
function nativePeak(): string {
  try {
    execFileSync('gcc', ['-O2', '-mfma', '-mavx2', here('../fma-peak.c'), '-o', '/tmp/biomed-fma-peak']);
    const iters = 100_000_000;
    const runs = [0, 1, 2].map(() => {
      const out = execFileSync(
        'bash',
        ['-c', `TIMEFORMAT='%U %S'; { time /tmp/biomed-fma-peak ${iters} >/dev/null; } 2>&1`],
        { encoding: 'utf8' },
      );
      const [user, sys] = out.trim().split(/\s+/).map(Number) as [number, number];
      return (iters * 12 * 8 * 2) / (user + sys) / 1e9;
    });
    return Math.max(...runs).toFixed(1);
  } catch (e) {
    return `(not measured: ${(e as Error).message.split('\n')[0]})`;
  }
}

if (!process.argv.includes('--no-peak') && !arg('profile')) {
  console.log(`\n== a. peak, one thread (load ${load()})`);
  console.log(`wasm f32x4 mul+add      ${wasmPeak(simd).toFixed(1)} GFLOP/s`);
  if (relaxed) console.log(`wasm f32x4.relaxed_madd ${wasmPeak(relaxed).toFixed(1)} GFLOP/s`);
  console.log(`native AVX2 FMA (bench/fma-peak.c, 256-bit) ${nativePeak()} GFLOP/s`);
}

// ---------------------------------------------------------------- profile: shapes of a train step
await initBackend({ prefer: 'wasm', strict: true });
const preset = arg('profile');
if (preset) {
  const { makeTrainStep, DEFAULT_WORKLOAD } = await import('../train-step-tfjs');
  const h = makeTrainStep(preset as never, DEFAULT_WORKLOAD);
  await h.step();
  const k = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (!k) throw new Error('no wasm BatchMatMul');
  const seen = new Map<string, { macs: number; n: number; ms: number }>();
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({
    ...k,
    kernelFunc: ((args: { inputs: { a: { shape: number[] }; b: { shape: number[] } }; attrs: never }) => {
      const { a, b } = args.inputs;
      const at = (args.attrs as Record<string, unknown>)['transposeA'] === true;
      const bt = (args.attrs as Record<string, unknown>)['transposeB'] === true;
      const r = a.shape.length;
      const m = at ? a.shape[r - 1]! : a.shape[r - 2]!;
      const kk = at ? a.shape[r - 2]! : a.shape[r - 1]!;
      const n = bt ? b.shape[b.shape.length - 2]! : b.shape[b.shape.length - 1]!;
      const batch = Math.max(
        a.shape.slice(0, -2).reduce((p, x) => p * x, 1),
        b.shape.slice(0, -2).reduce((p, x) => p * x, 1),
      );
      const key = `${a.shape.join(',')}${at ? 'ᵀ' : ''} x ${b.shape.join(',')}${bt ? 'ᵀ' : ''}`;
      const c0 = process.cpuUsage();
      const out = k.kernelFunc(args as never);
      const d = process.cpuUsage(c0);
      const e = seen.get(key) ?? { macs: 0, n: 0, ms: 0 };
      e.macs += batch * m * kk * n;
      e.n++;
      e.ms += (d.user + d.system) / 1000;
      seen.set(key, e);
      return out;
    }) as never,
  });
  await h.step();
  h.dispose();
  const rows = [...seen].sort((x, y) => y[1].macs - x[1].macs);
  const total = rows.reduce((s, [, v]) => s + v.macs, 0);
  const totalMs = rows.reduce((s, [, v]) => s + v.ms, 0);
  console.log(
    `\n== ${preset}: BatchMatMul calls of one train step by MACs (${(total / 1e9).toFixed(2)} GMAC, ${totalMs.toFixed(0)} ms CPU, load ${load()})`,
  );
  for (const [key, v] of rows.slice(0, 30))
    console.log(
      `${key.padEnd(40)} ${String(v.n).padStart(4)} calls ${((100 * v.macs) / total).toFixed(1).padStart(5)}% MACs ${v.ms.toFixed(1).padStart(7)} ms ${((2 * v.macs) / (v.ms / 1000) / 1e9).toFixed(1).padStart(6)} GFLOP/s`,
    );
  process.exit(0);
}

// ---------------------------------------------------------------- b. GEMM vs XNNPACK
// The plain products (after the engine kernel's transposes) that carry most MACs of a cpu-s train
// step (`--profile cpu-s`): d=128 projections on 544 = 8 x 68 rows, FFN 128<->512, the tied logits
// 128<->4096 at 256 = 8 x 32 target rows, their weight gradients (K = rows), the 7x7 stem's conv
// weight gradient; plus cpu-m's [2304,256]x[256,256] and 1024^2.
const defaultShapes = [
  '544x128x128',
  '128x544x128',
  '544x128x512',
  '544x512x128',
  '512x544x128',
  '256x128x4096',
  '256x4096x128',
  '4096x256x128',
  '147x18432x16',
  '2304x256x256',
  '1024x1024x1024',
].join(',');
const shapes = (arg('shapes') ?? defaultShapes)
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number, number]);
const tiles = (arg('tiles') ?? '6x8,4x8,3x12,2x16').split(',');

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1; // uniform [-1, 1)
  };
}

let failed = false;
console.log(`\n== b. GEMM C[M,N] = A[M,K] B[K,N], GFLOP/s from CPU time, best of ${reps}, one thread`);
console.log(
  'XNNPACK = tf.matMul on the wasm backend (the engine kernel, plain product): "cached" reuses b (packed once), "fresh" a new b tensor each call, as in the train step; ours = pack B + GEMM ("+pack") or GEMM on a packed B',
);
for (const [m, k, n] of shapes) {
  const flops = 2 * m * k * n;
  const gf = (ms: number) => (flops / (ms / 1000) / 1e9).toFixed(1);
  const rnd = lcg(m * 7 + k * 13 + n);
  const A = Float32Array.from({ length: m * k }, rnd);
  const B = Float32Array.from({ length: k * n }, rnd);
  // Reference on sampled entries, in float64.
  const samples: [number, number, number][] = [];
  const pick = lcg(99);
  for (let s = 0; s < 512; s++) {
    const i = Math.floor(((pick() + 1) / 2) * m);
    const j = Math.floor(((pick() + 1) / 2) * n);
    let acc = 0;
    for (let q = 0; q < k; q++) acc += A[i * k + q]! * B[q * n + j]!;
    samples.push([i, j, acc]);
  }
  const tol = 4e-6 * k;
  const check = (c: Float32Array, ref?: Float32Array) => {
    let refDiff = 0;
    for (const [i, j, v] of samples) refDiff = Math.max(refDiff, Math.abs(c[i * n + j]! - v));
    let xDiff = 0;
    if (ref) for (let i = 0; i < c.length; i++) xDiff = Math.max(xDiff, Math.abs(c[i]! - ref[i]!));
    const ok = refDiff <= tol && xDiff <= tol && Number.isFinite(refDiff) && Number.isFinite(xDiff);
    if (!ok) failed = true;
    return `${ok ? '' : 'WRONG '}max|diff| vs f64 ${refDiff.toExponential(1)}${ref ? ` vs XNNPACK ${xDiff.toExponential(1)}` : ''}`;
  };

  const a = tf.tensor2d(A, [m, k]);
  const b = tf.tensor2d(B, [k, n]);
  const xOut = tf.matMul(a, b);
  const xRef = xOut.dataSync() as Float32Array;
  xOut.dispose();
  const cached = bestMs(() => tf.matMul(a, b).dispose());
  // XNNPACK caches its packed weights per b tensor id: in the train step nearly every product
  // gets a new b (weights change every update, gradients are new tensors), so "fresh" times the
  // product of b tensors made (outside the timed region) for each call.
  const fresh = bestRoundsMs((inner) => {
    const bs = Array.from({ length: inner }, () => tf.tensor2d(B, [k, n]));
    return {
      run: (i) => tf.matMul(a, bs[i]!).dispose(),
      done: () => tf.dispose(bs),
    };
  });
  // The engine kernel with its own GEMM (packs b on every call, so no cached/fresh distinction).
  setWasmGemmKind('fma');
  const eOut = tf.matMul(a, b);
  const eCheck = check(eOut.dataSync() as Float32Array, xRef);
  eOut.dispose();
  const engine = bestMs(() => tf.matMul(a, b).dispose());
  setWasmGemmKind(undefined);
  tf.dispose([a, b]);
  console.log(
    `\n[${m},${k}]x[${k},${n}] (load ${load()}): XNNPACK cached ${gf(cached)}, fresh ${gf(fresh)}  (${check(xRef)}); tf.matMul with the engine's FMA GEMM ${gf(engine)} (${eCheck})`,
  );

  for (const [name, g] of [
    ['mul+add', simd],
    ['relaxed_madd', relaxed],
  ] as const) {
    if (!g) continue;
    g.reset();
    const aP = g.alloc(4 * m * k);
    const bP = g.alloc(4 * k * n);
    const bpP = g.alloc(4 * k * (Math.ceil(n / 48) * 48));
    const cP = g.alloc(4 * m * n);
    new Float32Array(g.memory.buffer, aP, m * k).set(A);
    new Float32Array(g.memory.buffer, bP, k * n).set(B);
    const parts: string[] = [];
    for (const tile of tiles) {
      const nr = Number(tile.split('x')[1]);
      g.pack(nr, bP, k, n, bpP);
      new Float32Array(g.memory.buffer, cP, m * n).fill(Number.NaN);
      g.gemm(tile, aP, bpP, cP, m, k, n);
      const ok = check(new Float32Array(g.memory.buffer, cP, m * n), xRef);
      const gemmOnly = bestMs(() => g.gemm(tile, aP, bpP, cP, m, k, n));
      const withPack = bestMs(() => {
        g.pack(nr, bP, k, n, bpP);
        g.gemm(tile, aP, bpP, cP, m, k, n);
      });
      parts.push(
        `  ${name.padEnd(12)} ${tile.padEnd(5)} ${gf(gemmOnly).padStart(6)}  +pack ${gf(withPack).padStart(6)}  (${ok})`,
      );
    }
    console.log(parts.join('\n'));
  }
}
console.log(`\nload average at the end ${load()}`);
if (failed) {
  console.error('A PRODUCT WAS WRONG (see WRONG above)');
  process.exit(1);
}
