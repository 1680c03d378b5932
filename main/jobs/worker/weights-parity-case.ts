// Test helpers: the engine's eval-mode logits for fixed inputs written as a case file, and
// bench/reference/weights_parity.py's PyTorch logits for the same case from a source checkpoint.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PYTHON, REFERENCE_DIR } from '#main/data/weights/test-fixtures';
import { writeFileAtomic } from '#main/engine/checkpoint/atomic-write';
import { encodeSafetensors, type SafeTensor } from '#main/engine/checkpoint/safetensors';
import { makeContext } from '#main/engine/model/context';
import { forward } from '#main/engine/model/model';
import type { EngineSession } from '#main/engine/session';

/** Eval-mode logits of the engine for fixed inputs, written as a case for weights_parity.py. */
export function writeCase(session: EngineSession, out: string): number[] {
  const config = session.config;
  const B = 2;
  const src = [
    [0, 5, 9, 13, 7, 2],
    [0, 11, 6, 2, 1, 1],
  ];
  const prev = [
    [0, 8, 4, 12],
    [0, 10, 1, 1],
  ];
  return tf.tidy(() => {
    const images = tf.randomNormal([B, 64, 64, 3], 0, 0.7, 'float32', 5) as tf.Tensor4D; // [B, H, W, 3]
    const input = {
      tokens: tf.tensor2d(src, [B, 6], 'int32'),
      prevTokens: tf.tensor2d(prev, [B, 4], 'int32'),
      images,
      imageMask: tf.tensor1d([1, 1]),
    };
    const logits = forward(makeContext(config, session.weights, false), input); // [B, T, V]
    const i64 = (rows: number[][]): SafeTensor => ({
      dtype: 'I64',
      shape: [rows.length, rows[0]?.length ?? 0],
      data: Int32Array.from(rows.flat()),
    });
    const f32 = (x: tf.Tensor): SafeTensor => ({
      dtype: 'F32',
      shape: x.shape,
      data: x.dataSync() as Float32Array,
    });
    writeFileAtomic(
      out,
      encodeSafetensors(
        new Map<string, SafeTensor>([
          ['src_tokens', i64(src)],
          ['prev_output_tokens', i64(prev)],
          ['patch_images', f32(tf.transpose(images, [0, 3, 1, 2]))], // NCHW for torch
          ['patch_masks', { dtype: 'I64', shape: [B], data: Int32Array.from([1, 1]) }],
          ['logits', f32(logits)],
        ]),
        { config: JSON.stringify(config) },
      ),
    );
    return logits.shape;
  });
}

export interface Parity {
  readonly source: string;
  readonly maxAbsDiff: number;
  readonly maxAbsLogit: number;
}

export function referenceParity(pairs: readonly [string, string][]): Parity[] {
  const r = spawnSync(PYTHON, [path.join(REFERENCE_DIR, 'weights_parity.py'), ...pairs.flat()], {
    encoding: 'utf8',
    env: { ...process.env, OMP_WAIT_POLICY: 'passive', OMP_NUM_THREADS: '1' },
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`weights_parity.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Parity[];
}
