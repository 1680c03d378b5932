import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { makeContext } from '#main/engine/model/context';
import { forward } from '#main/engine/model/model';
import { tinyTestConfig } from '#main/engine/model/test-config';
import { createWeights, type ModelWeights } from '#main/engine/model/weights';
import { weightShapes } from '#shared/model/weight-shapes';
import { loadWeightsInto, readModelFile, saveCheckpoint } from './checkpoint';
import { EXPORT_FILES, exportCheckpoint } from './export';
import { CheckpointFormatError, encodeSafetensors, type SafeTensor } from './safetensors';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const config = tinyTestConfig({ vocabSize: 30 });
const vocab = {
  kind: 'trimmed' as const,
  symbols: [
    '<s>',
    '<pad>',
    '</s>',
    '<unk>',
    '<mask>',
    ...Array.from({ length: 25 }, (_, i) => String(i + 10)),
  ],
};
const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'biomed-export-'));
  dirs.push(d);
  return d;
};
let weights: ModelWeights;
let ckptDir: string;
let exportDir: string;

beforeAll(async () => {
  await initBackend({ prefer: 'cpu', strict: true });
  weights = createWeights(config, 11);
  // Perturb what initialises to constants, so every weight matters for the logits.
  let seed = 1;
  for (const [name, v] of weights) {
    const s = seed++;
    tf.tidy(() => {
      if (name.includes('rel_pos_table')) v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', s));
      else if (name.endsWith('c_attn') || (name.endsWith('.weight') && v.rank === 1))
        v.assign(tf.randomUniform(v.shape, 0.5, 1.5, 'float32', s));
      else if (name.endsWith('.bias') && v.rank === 1)
        v.assign(tf.randomNormal(v.shape, 0, 0.1, 'float32', s));
      else if (name.endsWith('running_mean')) v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', s));
      else if (name.endsWith('running_var')) v.assign(tf.randomUniform(v.shape, 0.5, 2, 'float32', s));
      else if (name === 'encoder.embed_tokens.weight') v.assign(tf.mul(v, 25));
      else if (name.endsWith('num_batches_tracked')) v.assign(tf.scalar(s, 'int32'));
    });
  }
  ckptDir = path.join(temp(), 'step-0000012');
  await saveCheckpoint(ckptDir, weights, undefined, { config, vocab, step: 12, seed: 11, backend: 'cpu' });
  exportDir = path.join(temp(), 'export');
  await exportCheckpoint(ckptDir, exportDir, { id: 'run-1', name: 'tiny run' });
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('exportCheckpoint', () => {
  it('writes the whole fairseq state dict: weights, tied aliases and buffers, in state-dict order', () => {
    const file = readModelFile(path.join(exportDir, EXPORT_FILES.weights));
    const names = [...file.tensors.keys()];
    for (const spec of weightShapes(config)) expect(file.tensors.get(spec.name)?.shape).toEqual(spec.shape);
    expect(names.slice(0, 4)).toEqual([
      'encoder.version',
      'encoder.token_rp_bucket',
      'encoder.image_rp_bucket',
      'encoder.embed_tokens.weight',
    ]);
    expect(names).toContain('decoder.image_position_idx');
    const embed = file.tensors.get('encoder.embed_tokens.weight')!.data;
    expect(file.tensors.get('decoder.embed_tokens.weight')!.data).toEqual(embed);
    expect(file.tensors.get('decoder.output_projection.weight')!.data).toEqual(embed);
    // 16 x 16 code-image grid then 769 x 1024 (spec §2d): length 1026
    const idx = file.tensors.get('decoder.image_position_idx')!;
    expect(idx.shape).toEqual([1026]);
    expect([idx.data[0], idx.data[1], idx.data[17], idx.data[1025]]).toEqual([
      0,
      1,
      1 + config.imageBucket,
      1024,
    ]);
    expect(file.tensors.get('encoder.token_rp_bucket')!.shape).toEqual([64, 64]);
    expect(file.tensors.get('encoder.version')!.data[0]).toBe(3);
    expect(file.metadata['naming']).toBe('fairseq');
  });

  it('loads back bit for bit', () => {
    const source = readModelFile(ckptDir);
    const exported = readModelFile(path.join(exportDir, EXPORT_FILES.weights));
    for (const [name, t] of source.tensors) {
      const e = exported.tensors.get(name)!;
      expect(e.dtype, name).toBe(t.dtype);
      expect(Buffer.from(e.data.buffer).equals(Buffer.from(t.data.buffer)), name).toBe(true);
    }
    const back = createWeights(config, 99);
    loadWeightsInto(back, exported, config); // ignores the recomputed buffers and aliases
    for (const [name, v] of weights) {
      const a = Buffer.from((v.dataSync() as Float32Array).buffer);
      const b = Buffer.from((back.get(name)!.dataSync() as Float32Array).buffer);
      expect(a.equals(b), name).toBe(true);
    }
  });

  it('writes a Hugging Face OFA config.json and the vocabulary', () => {
    const hf = JSON.parse(readFileSync(path.join(exportDir, EXPORT_FILES.config), 'utf8'));
    expect(hf).toMatchObject({
      model_type: 'ofa',
      architectures: ['OFAModel'],
      d_model: 16,
      encoder_layers: 2,
      decoder_layers: 2,
      encoder_attention_heads: 2,
      encoder_ffn_dim: 32,
      vocab_size: 30,
      resnet_type: null, // a custom stem
      token_bucket_size: 16,
      image_bucket_size: 8,
      normformer: true,
      scale_embedding: false,
      biomed_workbench: { config, step: 12, run: { id: 'run-1', name: 'tiny run' } },
    });
    expect(JSON.parse(readFileSync(path.join(exportDir, EXPORT_FILES.vocab), 'utf8'))).toEqual(vocab);
  });

  it('refuses a checkpoint that does not fit its config, and leaves no folder', async () => {
    const bad = path.join(temp(), 'bad');
    const file = readModelFile(ckptDir);
    const tensors = new Map<string, SafeTensor>(file.tensors);
    tensors.delete('decoder.layers.1.fc2.weight');
    saveRaw(bad, encodeSafetensors(tensors, file.metadata));
    const out = path.join(temp(), 'never');
    await expect(exportCheckpoint(bad, out, null)).rejects.toThrow(/lacks decoder\.layers\.1\.fc2\.weight/);
    await expect(exportCheckpoint(ckptDir, exportDir, null)).rejects.toThrow(CheckpointFormatError);
    expect(() => readFileSync(path.join(out, EXPORT_FILES.weights))).toThrow();
  });

  it('the PyTorch snippet of docs/export.md loads it and matches the engine within 1e-4', () => {
    const B = 2;
    const src = [
      [0, 7, 12, 29, 5, 2],
      [0, 9, 4, 2, 1, 1],
    ];
    const prev = [
      [0, 13, 8, 21],
      [0, 6, 1, 1],
    ];
    const s = config.imageSize;
    const images = tf.randomNormal([B, s, s, 3], 0, 0.7, 'float32', 5) as tf.Tensor4D; // [B, H, W, 3]
    const imageMask = [1, 0]; // the second example has no image
    const ours = forward(makeContext(config, weights, false), {
      tokens: tf.tensor2d(src, [B, 6], 'int32'),
      prevTokens: tf.tensor2d(prev, [B, 4], 'int32'),
      images,
      imageMask: tf.tensor1d(imageMask),
    }); // [B, t, V]
    const i64 = (rows: number[][]): SafeTensor => ({
      dtype: 'I64',
      shape: [rows.length, rows[0]!.length],
      data: Int32Array.from(rows.flat()),
    });
    const dir = temp();
    const casePath = path.join(dir, 'case.safetensors');
    writeFileSync(
      casePath,
      encodeSafetensors(
        new Map<string, SafeTensor>([
          ['src_tokens', i64(src)],
          ['prev_output_tokens', i64(prev)],
          [
            'patch_images',
            {
              dtype: 'F32',
              shape: [B, 3, s, s],
              data: tf.transpose(images, [0, 3, 1, 2]).dataSync() as Float32Array,
            },
          ],
          ['patch_masks', { dtype: 'I64', shape: [B], data: Int32Array.from(imageMask) }],
        ]),
        {},
      ),
    );
    const doc = readFileSync(path.join(ROOT, 'docs', 'export.md'), 'utf8');
    const snippet = /<!-- snippet:load-export -->\s*```python\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(snippet).toBeTruthy();
    const harness = [
      'case, _ = load(sys.argv[2])',
      'got = logits(case["src_tokens"], case["prev_output_tokens"], case["patch_images"], case["patch_masks"].bool())',
      'print("LOGITS " + json.dumps(got.flatten().tolist()))',
    ].join('\n');
    const script = path.join(dir, 'load_export.py');
    writeFileSync(script, `${snippet}\n${harness}\n`);
    const r = spawnSync('/usr/bin/python3', [script, exportDir, casePath], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    expect(r.stderr).not.toMatch(/Traceback/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/next token after <s>: /);
    const theirs = JSON.parse(/^LOGITS (.*)$/m.exec(r.stdout)?.[1] ?? 'null') as number[];
    const mine = ours.dataSync();
    expect(theirs.length).toBe(mine.length);
    let maxDiff = 0;
    let maxAbs = 0;
    for (let i = 0; i < mine.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs((mine[i] ?? 0) - (theirs[i] ?? 0)));
      maxAbs = Math.max(maxAbs, Math.abs(mine[i] ?? 0));
    }
    console.info(
      `export parity: ${mine.length} logits, max |logit| ${maxAbs.toFixed(3)}, max |diff| ${maxDiff.toExponential(2)}`,
    );
    expect(maxAbs).toBeGreaterThan(1); // logits that say something
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
  });
});

function saveRaw(dir: string, bytes: Uint8Array): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, EXPORT_FILES.weights), bytes);
}
