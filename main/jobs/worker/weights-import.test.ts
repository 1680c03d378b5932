import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importWeightsFile } from '#main/data/weights/import';
import {
  CUSTOM_TEST_CONFIG,
  requireTorch,
  writeCheckpoints,
  writeDict,
} from '#main/data/weights/test-fixtures';
import { initBackend } from '#main/engine/backend/index';
import { createEngineSession, loadSession } from '#main/engine/session';
import { syntheticExamples } from '#main/engine/train/train-fixture';
import { PRESETS } from '#shared/model/presets';
import { storedWeights } from '#shared/model/weight-shapes';
import { referenceParity, writeCase } from './weights-parity-case';

const DICT = path.resolve(import.meta.dirname, '../../../../shared/spec/vocab/dict.txt');
const CUSTOM = CUSTOM_TEST_CONFIG;

let dir: string;
const file = (n: string) => path.join(dir, n);

beforeAll(async () => {
  requireTorch();
  await initBackend({ prefer: 'cpu', strict: true });
  dir = mkdtempSync(path.join(tmpdir(), 'bw-weights-'));
  for (const sub of ['s', 'hf32', 'hf16', 'st']) mkdirSync(file(sub));
  writeCheckpoints(dir, [
    {
      // S in fairseq naming: fp16 model (as `--fp16` saves it), fp32 EMA, Adam state, args + cfg
      config: PRESETS.S,
      files: [
        {
          path: file('s/biomedgpt_tiny.pt'),
          layout: 'fairseq',
          dtype: 'fp16',
          ema: true,
          optimizer: true,
          arch: 'ofa_tiny',
        },
      ],
    },
    {
      config: CUSTOM,
      seed: 2,
      files: [
        { path: file('hf32/pytorch_model.bin'), layout: 'hf-bin', dtype: 'fp32' },
        { path: file('hf16/pytorch_model.bin'), layout: 'hf-bin', dtype: 'fp16' },
        { path: file('st/fp32.safetensors'), layout: 'hf-safetensors', dtype: 'fp32' },
        { path: file('st/fp16.safetensors'), layout: 'hf-safetensors', dtype: 'fp16' },
      ],
    },
    {
      config: CUSTOM,
      seed: 3,
      files: [
        {
          path: file('hf32/missing.bin'),
          layout: 'hf-bin',
          dtype: 'fp32',
          drop: ['decoder.layers.0.fc2.bias'],
        },
        {
          path: file('hf32/shape.bin'),
          layout: 'hf-bin',
          dtype: 'fp32',
          reshape: { 'encoder.layers.1.fc1.weight': [49, 32] },
        },
      ],
    },
  ]);
  copyFileSync(DICT, file('s/dict.txt'));
  for (const sub of ['hf32', 'hf16', 'st']) writeDict(file(`${sub}/dict.txt`), 20);
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('importing published weights', () => {
  it('imports S in fairseq naming: every key reported, EMA preferred, optimizer never read; the engine matches PyTorch', async () => {
    const source = file('s/biomedgpt_tiny.pt');
    const r = await importWeightsFile({ path: source, destDir: file('s-out') });
    expect(r.ok).toBe(true);
    expect(r.detection).toMatchObject({
      sourceFormat: 'fairseq-pt',
      tensorSource: 'ema',
      emaUsed: true,
      dtype: 'fp32', // the fp32 EMA, not the fp16 model
      fairseqArch: 'ofa_tiny',
      architecture: { preset: 'S', config: { ...PRESETS.S, imageSize: 256 } },
      parameterCount: 33_488_336,
      vocabulary: { size: 59_457 },
    });
    const rep = r.report;
    expect(rep.totalKeys).toBe(543); // spec §2f: tiny has 543 keys
    expect(rep.matched).toEqual(storedWeights(PRESETS.S).map((w) => w.name));
    expect([rep.missing, rep.unexpected, rep.wrongShape, rep.problems]).toEqual([[], [], [], []]);
    expect(rep.ignored.map((i) => `${i.key}:${i.reason}`).sort()).toEqual(
      [
        'decoder.embed_tokens.weight:alias',
        'decoder.image_position_idx:recomputed',
        'decoder.image_rp_bucket:recomputed',
        'decoder.output_projection.weight:alias',
        'decoder.token_rp_bucket:recomputed',
        'decoder.version:version',
        'encoder.image_rp_bucket:recomputed',
        'encoder.token_rp_bucket:recomputed',
        'encoder.version:version',
      ].sort(),
    );
    // read: data.pkl and the EMA storages (fp32 weights + int64 num_batches_tracked) only; the
    // fp16 model, the rp buckets and the Adam state (twice the model) stay unread
    const stored = r.stored?.bytes ?? 0;
    expect(r.bytesRead).toBeLessThan(stored * 1.01);
    expect(r.bytesRead).toBeLessThan(statSync(source).size / 4);
    expect(readdirSync(file('s-out'))).toEqual(['model.safetensors']);

    // the engine's initial-weights path takes the stored folder as it is
    const session = await createEngineSession({
      preset: { ...PRESETS.S, imageSize: 64 },
      seed: 1,
      vocab: { kind: 'checkpoint' },
      init: file('s-out'),
      backend: 'cpu',
    });
    expect(session.tokenizer.size).toBe(59_457);
    const shape = writeCase(session, file('s-case.safetensors'));
    session.dispose();
    expect(shape).toEqual([2, 4, 59_457]);
    const [p] = referenceParity([[file('s-case.safetensors'), source]]);
    console.log(
      `S fairseq (EMA) parity: max abs diff ${p?.maxAbsDiff.toExponential(2)}, max |logit| ${p?.maxAbsLogit.toFixed(2)}`,
    );
    expect(p?.maxAbsLogit).toBeGreaterThan(1);
    expect(p?.maxAbsDiff).toBeLessThanOrEqual(1e-4);
  }, 300_000);

  it('imports a custom shape in Hugging Face naming from pytorch_model.bin and safetensors, fp32 and fp16', async () => {
    const sources = [
      'hf32/pytorch_model.bin',
      'hf16/pytorch_model.bin',
      'st/fp32.safetensors',
      'st/fp16.safetensors',
    ];
    const pairs: [string, string][] = [];
    for (const [i, rel] of sources.entries()) {
      const out = file(`custom-out-${i}`);
      const r = await importWeightsFile({ path: file(rel), destDir: out });
      expect(r.ok, JSON.stringify(r.report.problems)).toBe(true);
      expect(r.detection).toMatchObject({
        sourceFormat: rel.endsWith('.bin') ? 'hf-bin' : 'safetensors',
        dtype: rel.includes('16') ? 'fp16' : 'fp32',
        tensorSource: 'model',
        // imageSize capped: the image position table covers 8 x 8 patches of 16 px
        architecture: { preset: 'custom', config: { ...CUSTOM, imageSize: CUSTOM.imageBucket * 16 } },
      });
      // 2 encoder layers x 2 renamed keys + 1 decoder layer x 17, of the NormFormer / cross-attention names
      expect(r.report.renamed).toBe(2 * 4 + 17);
      expect(r.report.matched).toHaveLength(storedWeights(CUSTOM).length);
      expect(r.report.ignored.map((x) => x.reason).sort()).toEqual([
        'alias',
        'alias',
        'recomputed',
        'recomputed',
        'recomputed',
        'recomputed',
        'recomputed',
      ]);
      // loadSession: imported weights evaluate without optimizer state
      const session = await loadSession(out, { backend: 'cpu' });
      writeCase(session, file(`custom-case-${i}.safetensors`));
      session.dispose();
      pairs.push([file(`custom-case-${i}.safetensors`), file(rel)]);
    }
    // fine-tuning starts from them: one step from the imported weights, fresh Adam state
    const tune = await createEngineSession({
      preset: { ...CUSTOM, imageSize: 32 },
      seed: 1,
      vocab: { kind: 'checkpoint' },
      init: file('custom-out-1'),
      backend: 'cpu',
    });
    const step = await tune.trainStep(tune.prepare(syntheticExamples(2, CUSTOM)), {
      schedule: { lr: 1e-3, totalSteps: 2, warmupRatio: 0 },
    });
    expect(Number.isFinite(step.loss)).toBe(true);
    expect(tune.step).toBe(1);
    tune.dispose();
    const parity = referenceParity(pairs);
    for (const p of parity) {
      console.log(
        `${path.relative(dir, p.source)} parity: max abs diff ${p.maxAbsDiff.toExponential(2)}, max |logit| ${p.maxAbsLogit.toFixed(2)}`,
      );
      expect(p.maxAbsLogit).toBeGreaterThan(0.5);
      expect(p.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    }
  }, 300_000);

  it('stores nothing for a file that does not load completely', async () => {
    const missing = await importWeightsFile({ path: file('hf32/missing.bin'), destDir: file('bad-1') });
    expect(missing.ok).toBe(false);
    expect(missing.report.missing).toEqual(['decoder.layers.0.fc2.bias']);
    const shape = await importWeightsFile({ path: file('hf32/shape.bin'), destDir: file('bad-2') });
    expect(shape.report.wrongShape).toEqual([
      { key: 'encoder.layers.1.fc1.weight', expected: [48, 32], actual: [49, 32] },
    ]);
    expect(existsSync(file('bad-1')) || existsSync(file('bad-2'))).toBe(false);
  }, 180_000);
});
