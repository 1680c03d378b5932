import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { tinyTestConfig } from '#main/engine/model/test-config';
import { createWeights, disposeWeights, type ModelWeights } from '#main/engine/model/weights';
import { createEngineSession, loadSession } from '#main/engine/session';
import { syntheticExamples } from '#main/engine/train/train-fixture';
import { loadWeightsInto, MODEL_FILE, readMeta, readModelFile, saveCheckpoint } from './checkpoint';
import { CheckpointFormatError, decodeSafetensors, encodeSafetensors } from './safetensors';

const config = tinyTestConfig();
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'biomed-ckpt-'));
  dirs.push(d);
  return d;
}
let weights: ModelWeights;
const meta = {
  config,
  vocab: { kind: 'trimmed' as const, symbols: ['<s>', '<pad>', '</s>', '<unk>'] },
  step: 7,
  seed: 3,
  backend: 'cpu',
};

function digest(w: ModelWeights): string {
  const hash = createHash('sha256');
  for (const [name, v] of [...w].sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(name);
    hash.update(Buffer.from((v.dataSync() as Float32Array).buffer));
  }
  return hash.digest('hex');
}

function bits(w: ModelWeights): Map<string, Buffer> {
  return new Map([...w].map(([n, v]) => [n, Buffer.from((v.dataSync() as Float32Array).buffer.slice(0))]));
}

beforeAll(async () => {
  await initBackend({ prefer: 'cpu', strict: true });
  weights = createWeights(config, 1);
  weights.get('encoder.embed_images.bn1.num_batches_tracked')?.assign(tf.scalar(42, 'int32'));
});
afterAll(() => {
  disposeWeights(weights);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('safetensors', () => {
  it('round-trips F32 and I64 tensors and metadata', () => {
    const t = new Map([
      ['a', { dtype: 'F32' as const, shape: [2, 2], data: new Float32Array([1.5, -0, Number.NaN, 3e-39]) }],
      ['b', { dtype: 'I64' as const, shape: [], data: new Int32Array([123456]) }],
    ]);
    const file = decodeSafetensors(encodeSafetensors(t, { step: '5' }));
    expect(file.metadata['step']).toBe('5');
    expect(Buffer.from(file.tensors.get('a')?.data.buffer as ArrayBuffer)).toEqual(
      Buffer.from(t.get('a')?.data.buffer as ArrayBuffer),
    );
    expect(Array.from(file.tensors.get('b')?.data ?? [])).toEqual([123456]);
  });

  it('reads F16 and BF16 tensors (published fp16 weights) as float32', () => {
    const head = JSON.stringify({
      h: { dtype: 'F16', shape: [3], data_offsets: [0, 6] },
      b: { dtype: 'BF16', shape: [1], data_offsets: [6, 8] },
    });
    const bytes = new Uint8Array(8 + head.length + 8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(head.length), true);
    bytes.set(new TextEncoder().encode(head), 8);
    const data = new DataView(bytes.buffer, 8 + head.length);
    data.setUint16(0, 0x3c00, true); // 1.0
    data.setUint16(2, 0xc000, true); // -2.0
    data.setUint16(4, 0x3555, true); // 0.333251953125
    data.setUint16(6, 0x3fc0, true); // bf16 1.5
    const file = decodeSafetensors(bytes);
    expect(Array.from(file.tensors.get('h')?.data ?? [])).toEqual([1, -2, 0.333251953125]);
    expect(Array.from(file.tensors.get('b')?.data ?? [])).toEqual([1.5]);
  });

  it('refuses truncated files and bad headers', () => {
    const bytes = encodeSafetensors(
      new Map([['a', { dtype: 'F32' as const, shape: [4], data: new Float32Array(4) }]]),
      {},
    );
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated|trailing/);
    expect(() => decodeSafetensors(bytes.subarray(0, 5))).toThrow(CheckpointFormatError);
    const bad = bytes.slice();
    bad[9] = 0x7b; // corrupt the JSON
    bad[10] = 0x7b;
    expect(() => decodeSafetensors(bad)).toThrow(CheckpointFormatError);
    const huge = bytes.slice();
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => decodeSafetensors(huge)).toThrow(/exceeds/);
  });
});

describe('model checkpoints', () => {
  it('round-trip every weight bit for bit, with meta', async () => {
    const dir = tempDir();
    await saveCheckpoint(dir, weights, undefined, meta);
    const file = readModelFile(dir);
    expect(readMeta(file)).toMatchObject({ step: 7, seed: 3, backend: 'cpu', config });
    const other = createWeights(config, 99);
    loadWeightsInto(other, file, config);
    const a = bits(weights);
    const b = bits(other);
    for (const [n, buf] of a) expect(b.get(n)?.equals(buf), n).toBe(true);
    expect(other.get('encoder.embed_images.bn1.num_batches_tracked')?.dataSync()[0]).toBe(42);
    disposeWeights(other);
  });

  it('refuses another architecture, and a truncated file, without touching the weights', async () => {
    const dir = tempDir();
    await saveCheckpoint(dir, weights, undefined, meta);
    const wider = tinyTestConfig({ ffn: 48 });
    const target = createWeights(wider, 5);
    const before = bits(target);
    expect(() => loadWeightsInto(target, readModelFile(dir), wider)).toThrow(
      /does not fit this architecture.*fc1\.weight/,
    );
    const bytes = readFileSync(path.join(dir, MODEL_FILE));
    writeFileSync(path.join(dir, MODEL_FILE), bytes.subarray(0, bytes.length - 100));
    expect(() => readModelFile(dir)).toThrow(CheckpointFormatError);
    const after = bits(target);
    for (const [n, buf] of before) expect(after.get(n)?.equals(buf)).toBe(true);
    disposeWeights(target);
  });
});

describe('resume equivalence (cpu backend)', () => {
  // Dropout masks derive from (seed, update number), data come in a fixed order and every piece of
  // state (weights, BN statistics and counters, Adam moments and step) is saved as exact float32,
  // so the resumed losses must equal the uninterrupted ones exactly.
  it('N steps straight == N/2 + save + load into a fresh session / process + N/2', async () => {
    const examples = syntheticExamples(6, config);
    const texts = examples.flatMap((e) => [e.source, e.target, ...(e.candidates ?? [])]);
    const opts = {
      preset: config,
      seed: 21,
      vocab: { kind: 'trimmed' as const, texts },
      backend: 'cpu' as const,
    };
    const train = { schedule: { lr: 5e-3, totalSteps: 4, warmupRatio: 0.25 } };
    const straight = await createEngineSession(opts);
    const batches = [straight.prepare(examples.slice(0, 3)), straight.prepare(examples.slice(3))];
    const lossesA: number[] = [];
    for (const i of [0, 1, 2, 3])
      lossesA.push((await straight.trainStep(batches[i % 2] as never, train)).loss);

    const first = await createEngineSession(opts);
    const lossesB: number[] = [];
    for (const i of [0, 1]) lossesB.push((await first.trainStep(batches[i % 2] as never, train)).loss);
    const order = first.nextBatchIndices(6, 4); // the data position travels with the checkpoint
    const dir = tempDir();
    await first.save(dir);
    first.dispose();
    const resumed = await loadSession(dir, { backend: 'cpu' });
    expect(resumed.step).toBe(2);
    const all = straight.nextBatchIndices(6, 9);
    expect(order).toEqual(all.slice(0, 4));
    expect(resumed.nextBatchIndices(6, 5)).toEqual(all.slice(4));
    for (const i of [2, 3]) lossesB.push((await resumed.trainStep(batches[i % 2] as never, train)).loss);
    expect(lossesB).toEqual(lossesA);
    const a = bits(straight.weights);
    const b = bits(resumed.weights);
    for (const [n, buf] of a) expect(b.get(n)?.equals(buf), n).toBe(true);
    // fine-tuning from the run: weights and vocabulary from the checkpoint, fresh optimizer
    const tuned = await createEngineSession({
      preset: config,
      seed: 5,
      vocab: { kind: 'checkpoint' },
      init: dir,
      backend: 'cpu',
    });
    expect(tuned.step).toBe(0);
    expect(tuned.tokenizer.vocab.symbols).toEqual(resumed.tokenizer.vocab.symbols);
    const saved = readModelFile(dir).tensors.get('decoder.layers.1.fc2.weight')?.data;
    expect(Array.from(tuned.weights.get('decoder.layers.1.fc2.weight')?.dataSync() ?? [])).toEqual(
      Array.from(saved ?? []),
    );
    tuned.dispose();

    // the same resume in a fresh process: nothing shared but the checkpoint directory
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'resume-child.ts'), dir, '2'],
      {
        encoding: 'utf8',
        env: { ...process.env, BIOMED_BACKEND: 'cpu' },
      },
    );
    const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, child.stderr.slice(-2000)).toBeDefined();
    const result = JSON.parse(line?.slice(7) ?? '{}') as { losses: number[]; digest: string; step: number };
    expect(result.step).toBe(4);
    expect(result.losses).toEqual(lossesA.slice(2));
    expect(result.digest).toBe(digest(straight.weights));
    straight.dispose();
    resumed.dispose();
  }, 120_000);
});
