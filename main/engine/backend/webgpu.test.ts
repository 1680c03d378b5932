/**
 * The engine on WebGPU, checked against its WebAssembly twin on SwiftShader (the test setup points
 * Vulkan at it). Fails, naming the reason, when no adapter is found: this suite never skips.
 * SwiftShader runs a tiny model's train step in seconds, so everything uses tinyTestConfig.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterLine, type BackendInfo } from '#main/engine/backend/index';
import { fusedAdamW } from '#main/engine/kernels/adamw-fused';
import { batchNormTrain } from '#main/engine/kernels/batch-norm';
import { embeddingLookup } from '#main/engine/kernels/embedding';
import { gelu } from '#main/engine/kernels/gelu';
import { labelSmoothedCE } from '#main/engine/kernels/label-smoothed-ce';
import { layerNorm } from '#main/engine/kernels/layer-norm';
import { sumSquares } from '#main/engine/kernels/sum-squares';
import { expectTwins, KERNEL_TOL, onBackend, relErr, twins, values } from '#main/engine/kernels/webgpu/twins';
import { makeContext } from '#main/engine/model/context';
import { conv2d } from '#main/engine/model/conv';
import { forward } from '#main/engine/model/model';
import { tinyTestConfig } from '#main/engine/model/test-config';
import { createEngineSession, type EngineSession, loadSession } from '#main/engine/session';
import { trainingLoss } from '#main/engine/train/loss';
import { batchTensors, disposeBatchTensors } from '#main/engine/train/tensors';
import { syntheticExamples } from '#main/engine/train/train-fixture';
import { hashSeed } from '#shared/random';
import { SWIFTSHADER_ICD } from './test-gpu-env';

type Backend = 'wasm' | 'webgpu';
let gpu: BackendInfo;

const use = (backend: Backend) => onBackend(backend);

beforeAll(async () => {
  try {
    gpu = await use('webgpu');
  } catch (err) {
    throw new Error(
      `no WebGPU adapter for the webgpu tests: ${(err as Error).message}. They need Debian's chromium ` +
        `(SwiftShader, ${SWIFTSHADER_ICD}) and libvulkan1 (scripts/debian-packages.txt); ` +
        `VK_ICD_FILENAMES=${process.env['VK_ICD_FILENAMES'] ?? '(unset)'}`,
    );
  }
  console.log(`webgpu adapter: ${gpu.adapter ? adapterLine(gpu.adapter) : '?'}`);
});

describe('webgpu kernels equal their wasm twins', () => {
  it('finds the adapter and registers every fused kernel', () => {
    expect(gpu.name).toBe('webgpu');
    expect(gpu.adapter?.description).toBeTruthy();
    for (const k of [
      'BiomedAdamW',
      'BiomedSumSquares',
      'BiomedLayerNorm',
      'BiomedBatchNorm',
      'BiomedLabelSmoothedCE',
      'BiomedAdamWMany',
      'BiomedAttentionProbs',
    ])
      expect(gpu.kernels).toContain(`${k}:webgpu`);
  });

  it('LayerNorm forward and gradients (rows longer than a workgroup)', async () => {
    const [rows, d] = [5, 300];
    const r = await twins(() => {
      const x = tf.tensor2d(values(rows * d, 1, 3), [rows, d]);
      const g = tf.tensor1d(values(d, 2, 1).map((v) => 1 + v / 2));
      const b = tf.tensor1d(values(d, 3, 0.2));
      const w = tf.tensor2d(values(rows * d, 4), [rows, d]);
      const f = (a: tf.Tensor, c: tf.Tensor, e: tf.Tensor) => tf.sum(tf.mul(layerNorm(a, c, e), w));
      return [layerNorm(x, g, b), ...tf.grads(f)([x, g, b])];
    });
    expectTwins(r, KERNEL_TOL, 'LayerNorm');
  });

  it('training BatchNorm forward, batch statistics and gradients', async () => {
    const r = await twins(() => {
      const x = tf.tensor4d(values(2 * 7 * 5 * 6, 5, 2), [2, 7, 5, 6]);
      const g = tf.tensor1d(values(6, 6).map((v) => 1 + v / 2));
      const b = tf.tensor1d(values(6, 7, 0.3));
      const w = tf.tensor4d(values(2 * 7 * 5 * 6, 8), [2, 7, 5, 6]);
      const res = batchNormTrain(x, g, b);
      const f = (a: tf.Tensor, c: tf.Tensor, e: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(a, c, e).y, w));
      return [res.y, res.mean, res.variance, ...tf.grads(f)([x, g, b])];
    });
    expectTwins(r, KERNEL_TOL, 'BatchNorm');
  });

  it('label-smoothed cross-entropy (allowed masks, eps 0 and 0.1, <pad> rows) and its gradient', async () => {
    const [b, t, v] = [2, 3, 300];
    const tgt = [5, 7, 1, 0, 299, 3];
    const allowed = new Float32Array(b * t * v);
    for (let r = 0; r < b * t; r++) for (const j of [0, 3, 5, 7, 9, 299, r]) allowed[r * v + j] = 1;
    for (const eps of [0, 0.1]) {
      for (const masked of [false, true]) {
        const r = await twins(() => {
          const z = tf.tensor3d(values(b * t * v, 9, 4), [b, t, v]);
          const targets = tf.tensor2d(tgt, [b, t], 'int32');
          const a = masked ? tf.tensor3d(allowed, [b, t, v]) : undefined;
          const f = (x: tf.Tensor) => labelSmoothedCE(x, targets, eps, a)!;
          return [f(z), tf.grad(f)(z)];
        });
        expectTwins(r, KERNEL_TOL, `LSCE eps ${eps} masked ${masked}`);
      }
    }
  });

  it('AdamW update (first step without moments, then with)', async () => {
    const s = { beta1: 0.9, beta2: 0.999, eps: 1e-8, decayRate: 1e-4, stepSize: 1e-3, gradScale: 0.25 };
    const n = 1000;
    const r = await twins(() => {
      const p = tf.tensor1d(values(n, 10));
      const g = tf.tensor1d(values(n, 11, 5));
      const m = tf.tensor1d(values(n, 12, 0.1));
      const v = tf.tensor1d(values(n, 13, 0.01).map(Math.abs));
      return [...fusedAdamW(p, g, undefined, undefined, s), ...fusedAdamW(p, g, m, v, s)];
    });
    expectTwins(r, KERNEL_TOL, 'AdamW');
  });

  it('sum of squares over more tensors than a program can bind', async () => {
    const sizes = [1, 7, 300, 70_000, 16, 5, ...Array.from({ length: 18 }, (_, i) => 10 + i * 13)];
    const res: number[] = [];
    for (const b of ['wasm', 'webgpu'] as const) {
      await use(b);
      const ts = sizes.map((n, i) => tf.tensor1d(values(n, 20 + i)));
      res.push(await sumSquares(ts));
      tf.dispose(ts);
    }
    expect(Math.abs(res[1]! - res[0]!) / res[0]!).toBeLessThanOrEqual(KERNEL_TOL);
  });

  it('scatter embedding gradient, stride-2 convolution with its backprop, GELU', async () => {
    const r = await twins(() => {
      const table = tf.tensor2d(values(50 * 8, 30), [50, 8]);
      const ids = tf.tensor2d([3, 0, 49, 3, 7, 3, 0, 1], [2, 4], 'int32');
      const wE = tf.tensor3d(values(2 * 4 * 8, 31), [2, 4, 8]);
      const x = tf.tensor4d(values(2 * 9 * 9 * 3, 32), [2, 9, 9, 3]);
      const k = tf.tensor4d(values(4 * 3 * 3 * 3, 33), [4, 3, 3, 3]);
      const wC = tf.tensor4d(values(2 * 5 * 5 * 4, 34), [2, 5, 5, 4]);
      const xg = tf.tensor1d(values(500, 35, 4));
      return [
        embeddingLookup(table, ids),
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embeddingLookup(t as tf.Tensor2D, ids), wE)))(table),
        conv2d(x, k, 2, 1),
        ...tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(conv2d(a as tf.Tensor4D, f, 2, 1), wC)))([
          x,
          k,
        ]),
        gelu(xg),
        tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(xg),
      ];
    });
    expectTwins(r, KERNEL_TOL, 'embedding/conv/gelu');
  });
});

const config = tinyTestConfig();
const examples = syntheticExamples(4, config);
const texts = examples.flatMap((e) => [e.source, e.target, ...(e.candidates ?? [])]);
const train = { schedule: { lr: 5e-3, totalSteps: 30, warmupRatio: 0.1 }, clipNorm: 0.5 };
// SwiftShader pays per dispatch: the many-step tests use one layer each side and no images.
const small = tinyTestConfig({ encLayers: 1, decLayers: 1 });
const textOnly = examples.map(({ image: _image, ...rest }) => rest);

async function session(backend: Backend, seed = 3, preset = config): Promise<EngineSession> {
  await use(backend);
  return createEngineSession({ preset, seed, vocab: { kind: 'trimmed', texts }, backend });
}

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'biomed-webgpu-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the engine on webgpu equals it on wasm', () => {
  it('one train step: loss and every gradient within 1e-4 relative, then the same update', {
    timeout: 400_000,
  }, async () => {
    const grads: Record<Backend, Map<string, Float32Array>> = { wasm: new Map(), webgpu: new Map() };
    const losses: Record<string, number> = {};
    const steps: Record<string, { loss: number; gradNorm: number; weights: Map<string, Float32Array> }> = {};
    for (const b of ['wasm', 'webgpu'] as const) {
      const s = await session(b);
      const batch = s.prepare(examples);
      // The gradients of the train step's first micro-batch (same dropout seed), read out.
      const ctx = makeContext(s.config, s.weights, true, hashSeed(s.seed, '0:0'));
      const inputs = batchTensors(batch, s.config);
      const vars = [...s.weights.values()].filter((v) => v.trainable);
      const { value, grads: g } = tf.variableGrads(
        () => trainingLoss(forward(ctx, inputs), inputs.targets, 0.1, inputs.allowed),
        vars,
      );
      losses[b] = (await value.data())[0]!;
      const nameOf = new Map([...s.weights].map(([n, v]) => [v.name, n])); // variable names differ per session
      for (const [n, t] of Object.entries(g))
        grads[b].set(nameOf.get(n) ?? n, Float32Array.from(await t.data()));
      tf.dispose([value, ...Object.values(g), ...ctx.bnUpdates.values()]);
      disposeBatchTensors(inputs);
      // Same initial weights (seeded by name) on a fresh session: the full update.
      s.dispose();
      const s2 = await session(b);
      const r = await s2.trainStep(s2.prepare(examples), train);
      const weights = new Map<string, Float32Array>();
      for (const [n, v] of s2.weights)
        if (v.dtype === 'float32') weights.set(n, Float32Array.from(await v.data()));
      steps[b] = { loss: r.loss, gradNorm: r.gradNorm, weights };
      s2.dispose();
    }
    expect(Math.abs(losses['webgpu']! - losses['wasm']!) / Math.abs(losses['wasm']!)).toBeLessThanOrEqual(
      1e-4,
    );
    expect(grads.webgpu.size).toBe(grads.wasm.size);
    // Relative to the tensor's own scale, with a floor of 1e-3 of the largest gradient: some
    // gradients are zero in exact arithmetic (a key bias shifts every score of a query by the
    // same amount, which softmax ignores) and hold only rounding noise on both backends.
    const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const floor = 1e-3 * Math.max(...[...grads.wasm.values()].map(maxAbs));
    let worst = 0;
    for (const [n, g] of grads.wasm) {
      const ours = grads.webgpu.get(n) ?? new Float32Array(g.length);
      let d = 0;
      for (let i = 0; i < g.length; i++) d = Math.max(d, Math.abs(ours[i]! - g[i]!));
      const e = d / Math.max(maxAbs(g), floor);
      worst = Math.max(worst, e);
      expect(e, `gradient ${n} (max |g| ${maxAbs(g).toExponential(2)})`).toBeLessThanOrEqual(1e-4);
    }
    const w = steps['wasm']!;
    const gp = steps['webgpu']!;
    expect(Math.abs(gp.loss - w.loss) / w.loss).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(gp.gradNorm - w.gradNorm) / w.gradNorm).toBeLessThanOrEqual(1e-4);
    // Adam divides by sqrt(v): a gradient at rounding-noise level (own relative error > 1e-3,
    // e.g. analytically zero ones) becomes a full-size step of random sign on each backend, so
    // updates are compared where the gradient itself is determined.
    const noise = [...grads.wasm].filter(([n, g]) => relErr(grads.webgpu.get(n)!, g) > 1e-3).map(([n]) => n);
    expect(noise.length).toBeLessThan(grads.wasm.size / 5); // the update of the others is compared
    // The same holds element by element inside a compared tensor: an element whose gradient is under
    // 1,000 times the tensor's largest gradient difference has its own relative error over 1e-3
    // (e.g. 5e-6 beside 4e-3 in a bias, where the two backends' exp round differently), and Adam's
    // normalisation turns that into a visibly different step; those elements are left out.
    let worstW = 0;
    let undetermined = 0;
    let total = 0;
    for (const [n, a] of w.weights) {
      if (noise.includes(n)) continue;
      const g = grads.wasm.get(n);
      const g2 = grads.webgpu.get(n);
      const b = gp.weights.get(n)!;
      let dg = 0;
      if (g && g2) for (let i = 0; i < g.length; i++) dg = Math.max(dg, Math.abs(g[i]! - g2[i]!));
      let d = 0;
      let m = 0;
      total += a.length;
      for (let i = 0; i < a.length; i++) {
        m = Math.max(m, Math.abs(a[i]!));
        if (g && Math.abs(g[i]!) < 1e3 * dg) undetermined++;
        else d = Math.max(d, Math.abs(b[i]! - a[i]!));
      }
      worstW = Math.max(worstW, d / Math.max(m, 1e-30));
    }
    expect(undetermined).toBeLessThan(total / 5); // the update of the rest is compared
    expect(worstW).toBeLessThanOrEqual(1e-4);
    console.log(
      `webgpu vs wasm, one tiny train step: loss rel ${(Math.abs(losses['webgpu']! - losses['wasm']!) / losses['wasm']!).toExponential(1)}, ` +
        `worst gradient rel ${worst.toExponential(1)} over ${grads.wasm.size} weights, grad norm rel ` +
        `${(Math.abs(gp.gradNorm - w.gradNorm) / w.gradNorm).toExponential(1)}, updated weights rel ${worstW.toExponential(1)} ` +
        `(${grads.wasm.size - noise.length} weights; ${noise.length} with gradients at rounding-noise level skipped, ` +
        `and ${undetermined} of ${total} elements whose gradient is not determined to 1e-3)`,
    );
  });

  it('20 steps leave no tensor and no GPU buffer behind', { timeout: 400_000 }, async () => {
    const s = await session('webgpu', 5, small);
    const batch = s.prepare(textOnly.slice(0, 2));
    const tensors: number[] = [];
    const bytes: number[] = [];
    for (let i = 0; i < 20; i++) {
      await s.trainStep(batch, train);
      const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
      tensors.push(m.numTensors);
      bytes.push(m.numBytesInGPU ?? Number.NaN);
    }
    // After the first step created the Adam moments nothing may grow.
    expect(new Set(tensors.slice(1)).size).toBe(1);
    expect(new Set(bytes.slice(1)).size).toBe(1);
    const before = tf.memory().numTensors;
    s.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });

  it('a checkpoint written on webgpu resumes on wasm, and the other way round', {
    timeout: 400_000,
  }, async () => {
    for (const [from, to] of [
      ['webgpu', 'wasm'],
      ['wasm', 'webgpu'],
    ] as const) {
      const a = await session(from, 7, small);
      const batches = [a.prepare(textOnly.slice(0, 2)), a.prepare(textOnly.slice(2))];
      for (const i of [0, 1]) await a.trainStep(batches[i]!, train);
      const dir = tempDir();
      await a.save(dir);
      const third = (await a.trainStep(batches[0]!, train)).loss;
      a.dispose();
      await use(to);
      const b = await loadSession(dir, { backend: to });
      expect(b.backend.name).toBe(to);
      expect(b.step).toBe(2);
      const resumed = (await b.trainStep(b.prepare(textOnly.slice(0, 2)), train)).loss;
      b.dispose();
      expect(Math.abs(resumed - third) / third, `${from} -> ${to}`).toBeLessThanOrEqual(1e-4);
    }
  });

  it('decoding (greedy, beam 3 with the KV cache, trie-constrained) equals wasm', {
    timeout: 400_000,
  }, async () => {
    const out: Record<string, { texts: string[]; scores: number[] }> = {};
    for (const b of ['wasm', 'webgpu'] as const) {
      const s = await session(b, 9, small);
      const some = examples.slice(0, 2); // the first with its image
      const greedy = await s.generate(some, { beamSize: 1, maxLen: 5, constrained: false });
      const beam = await s.generate(some, { beamSize: 3, maxLen: 5, constrained: false });
      const trie = await s.generate(some, { beamSize: 2, maxLen: 5 });
      const all = [...greedy, ...beam, ...trie];
      out[b] = { texts: all.map((g) => g.text), scores: all.map((g) => g.score) };
      s.dispose();
    }
    expect(out['webgpu']!.texts).toEqual(out['wasm']!.texts);
    expect(relErr(out['webgpu']!.scores, out['wasm']!.scores)).toBeLessThanOrEqual(1e-4);
    for (const t of out['webgpu']!.texts.slice(-2)) expect(examples[0]!.candidates).toContain(t);
  });

  it('logits equal the independent PyTorch reference (bench/reference, tolerance 1e-4)', () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    const r = spawnSync('bash', [path.join(root, 'bench/reference/parity.sh'), 'tiny', '1e-4'], {
      cwd: root,
      env: { ...process.env, BIOMED_BACKEND: 'webgpu' },
      encoding: 'utf8',
      timeout: 390_000,
    });
    const text = `${r.stdout}${r.stderr}`;
    console.log(
      text
        .split('\n')
        .filter((l) => /on webgpu|max abs diff|training-mode loss/.test(l))
        .join('\n'),
    );
    expect(text).toMatch(/tiny on webgpu/);
    expect(r.status, text.slice(-2000)).toBe(0);
  }, 400_000);
});
