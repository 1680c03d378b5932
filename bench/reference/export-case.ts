/**
 * Writes a parity case for bench/reference/ofa_reference.py: a small model (cpu-xs block design,
 * perturbed so every weight matters: random relative-position tables, head gains, LayerNorm and
 * BatchNorm statistics) as model.safetensors, and inputs + the engine's eval-mode logits as
 * case.safetensors.  usage: tsx bench/reference/export-case.ts <outDir> [preset]
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '#main/engine/backend/index';
import { writeFileAtomic } from '#main/engine/checkpoint/atomic-write';
import { saveCheckpoint } from '#main/engine/checkpoint/checkpoint';
import { encodeSafetensors, type SafeTensor } from '#main/engine/checkpoint/safetensors';
import { makeContext } from '#main/engine/model/context';
import { forward } from '#main/engine/model/model';
import { imageBucket, tokenBucket } from '#main/engine/model/positions';
import { tinyTestConfig } from '#main/engine/model/test-config';
import { createWeights } from '#main/engine/model/weights';
import { labelSmoothedLoss } from '#main/engine/train/loss';
import { type PresetName, presetConfig } from '#shared/model/presets';
import { mulberry32 } from '#shared/random';

const outDir = process.argv[2] ?? 'parity-out';
// 'tiny': the unit tests' configuration (main/engine/model/test-config.ts), for slow backends
// such as WebGPU on SwiftShader.
const preset = (process.argv[3] ?? 'cpu-xs') as PresetName | 'tiny';
const backend = await initBackend({ prefer: 'cpu' });
// no dropout / drop-path, so the training-mode pass below is deterministic and comparable
const overrides = { vocabSize: 300, dropout: 0, dropPath: 0 };
const config =
  preset === 'tiny'
    ? tinyTestConfig({ ...overrides, maxRelPosition: 1024 }) // the bucket check covers offsets to 1023
    : presetConfig(preset, overrides);
const weights = createWeights(config, 1234);
let seed = 1;
for (const [name, v] of weights) {
  const s = seed++;
  tf.tidy(() => {
    if (name.includes('rel_pos_table')) v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', s));
    else if (name.endsWith('c_attn') || (name.endsWith('.weight') && v.rank === 1))
      v.assign(tf.randomUniform(v.shape, 0.5, 1.5, 'float32', s));
    else if (name.endsWith('.bias') && v.rank === 1) v.assign(tf.randomNormal(v.shape, 0, 0.1, 'float32', s));
    else if (name.endsWith('running_mean')) v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', s));
    else if (name.endsWith('running_var')) v.assign(tf.randomUniform(v.shape, 0.5, 2, 'float32', s));
    else if (name === 'encoder.embed_tokens.weight')
      v.assign(tf.mul(v, 25)); // logits of order 10
    else if (v.rank === 2 && !name.includes('embed')) v.assign(tf.mul(v, 3));
  });
}

const rand = mulberry32(77);
const B = 3;
const n = 9;
const t = 6;
const tok = (pads: number, len: number) =>
  Array.from({ length: len }, (_, i) =>
    i === 0 ? 0 : i >= len - pads ? 1 : 4 + Math.floor(rand() * (config.vocabSize - 4)),
  );
const src = [tok(0, n), tok(3, n), tok(1, n)];
const prev = [tok(0, t), tok(2, t), tok(0, t)];
const s = config.imageSize;
const images = tf.randomNormal([B, s, s, 3], 0, 0.7, 'float32', 5) as tf.Tensor4D; // [B, H, W, 3]
const imageMask = [1, 1, 0]; // third example has no image: its patches are padding
const input = {
  tokens: tf.tensor2d(src, [B, n], 'int32'),
  prevTokens: tf.tensor2d(prev, [B, t], 'int32'),
  images,
  imageMask: tf.tensor1d(imageMask),
};
const logits = forward(makeContext(config, weights, false), input); // [B, T, V]

// Training mode: BatchNorm batch statistics, label-smoothed loss (eps 0.1), gradients of a sample
// of weights, and one BatchNorm's new running variance (unbiased, momentum 0.1).
const targets = prev.map((row) =>
  row.map((_, i) =>
    row[i + 1] !== undefined && row[i + 1] !== 1 ? (row[i + 1] as number) : row[i] !== 1 ? 2 : 1,
  ),
);
const gradNames = [
  'encoder.embed_images.conv1.weight',
  'encoder.embed_images.layer1.0.bn1.weight',
  'encoder.embed_images.layer3.0.downsample.0.weight',
  'encoder.image_proj.weight',
  'encoder.layers.0.self_attn.q_proj.weight',
  'encoder.token_rel_pos_table_list.0.weight',
  'encoder.image_rel_pos_table_list.1.weight',
  'encoder.embed_image_positions.weight',
  'decoder.layers.1.encoder_attn.c_attn',
  'decoder.layers.0.ffn_layernorm.weight',
  'decoder.cross_pos_k_linear.weight',
  'encoder.embed_tokens.weight',
];
const trainCtx = makeContext(config, weights, true);
const targetT = tf.tensor2d(targets, [B, t], 'int32');
const gradVars = gradNames.map((n) => weights.get(n) as tf.Variable);
const { value: trainLoss, grads } = tf.variableGrads(
  () => labelSmoothedLoss(forward(trainCtx, input), targetT, 0.1),
  gradVars,
);
const bnName = 'encoder.embed_images.layer2.0.bn2.running_var';
const newRunningVar = trainCtx.bnUpdates.get(bnName) as tf.Tensor;

await saveCheckpoint(outDir, weights, undefined, {
  config,
  vocab: { kind: 'trimmed', symbols: ['<s>', '<pad>', '</s>', '<unk>'] },
  step: 0,
  seed: 1234,
  backend: backend.name,
});
// Asynchronous reads: WebGPU under Node has no synchronous one.
const f32 = async (x: tf.Tensor): Promise<SafeTensor> => ({
  dtype: 'F32',
  shape: x.shape,
  data: (await x.data()) as Float32Array,
});
const i64 = (rows: number[][]): SafeTensor => ({
  dtype: 'I64',
  shape: [rows.length, rows[0]?.length ?? 0],
  data: Int32Array.from(rows.flat()),
});
const tensors = new Map<string, SafeTensor>([
  ['src_tokens', i64(src)],
  ['prev_output_tokens', i64(prev)],
  ['patch_images', await f32(tf.transpose(images, [0, 3, 1, 2]))], // NCHW for torch
  ['patch_masks', { dtype: 'I64', shape: [B], data: Int32Array.from(imageMask) }],
  ['logits', await f32(logits)],
  ['target', i64(targets)],
  ['train_loss', await f32(trainLoss)],
  [`new.${bnName}`, await f32(newRunningVar)],
  ...(await Promise.all(
    gradNames.map(
      async (n, i): Promise<[string, SafeTensor]> => [
        `grad.${n}`,
        await f32(grads[gradVars[i]?.name ?? ''] as tf.Tensor),
      ],
    ),
  )),
  // bucket functions over their whole domain (tokens) and a sample of image position pairs
  [
    'token_buckets',
    {
      dtype: 'I64',
      shape: [2047],
      data: Int32Array.from({ length: 2047 }, (_, i) =>
        tokenBucket(i - 1023, config.tokenBucket, config.maxRelPosition),
      ),
    },
  ],
  [
    'image_pairs',
    {
      dtype: 'I64',
      shape: [400, 2],
      data: Int32Array.from({ length: 800 }, () => Math.floor(rand() * (config.imageBucket ** 2 + 1))),
    },
  ],
]);
const pairs = tensors.get('image_pairs')?.data ?? new Int32Array();
tensors.set('image_buckets', {
  dtype: 'I64',
  shape: [400],
  data: Int32Array.from({ length: 400 }, (_, i) =>
    imageBucket(pairs[2 * i] ?? 0, pairs[2 * i + 1] ?? 0, config.imageBucket),
  ),
});
writeFileAtomic(path.join(outDir, 'case.safetensors'), encodeSafetensors(tensors, { backend: backend.name }));
console.log(`wrote ${outDir}: ${preset} on ${backend.name}, logits [${logits.shape}]`);
