import * as tf from '@tensorflow/tfjs-core';

/**
 * OFA's make_token_bucket_position for one relative distance (query - key): exact offsets within
 * +-bucket/2, log-spaced buckets beyond, shifted to [0, 2 * bucket - 1). Float32 rounding as torch.
 */
export function tokenBucket(rel: number, bucket: number, maxPosition: number): number {
  const mid = Math.floor(bucket / 2);
  const sign = Math.sign(rel);
  const abs = rel < mid && rel > -mid ? mid - 1 : Math.abs(rel);
  if (abs <= mid) return rel + bucket - 1;
  const f = Math.fround;
  const ratio = f(Math.log(f(abs / mid))) / f(Math.log(f((maxPosition - 1) / mid)));
  const logPos = Math.ceil(f(f(ratio) * (mid - 1))) + mid;
  return logPos * sign + bucket - 1;
}

/**
 * OFA's make_image_bucket_position for two image position ids (r * bucket + c + 1, or 0 for the
 * special slot): index into the (2b-1)^2 + 3 row table.
 */
export function imageBucket(qi: number, ki: number, bucket: number): number {
  const numRel = (2 * bucket - 1) ** 2 + 3;
  if (qi === 0 && ki === 0) return numRel - 1;
  if (ki === 0) return numRel - 2;
  if (qi === 0) return numRel - 3;
  const qr = Math.floor((qi - 1) / bucket);
  const qc = (qi - 1) % bucket;
  const kr = Math.floor((ki - 1) / bucket);
  const kc = (ki - 1) % bucket;
  return (qr - kr + bucket - 1) * (2 * bucket - 1) + (qc - kc + bucket - 1);
}

/** Image position ids of an h x w patch grid, row-major: r * bucket + c + 1. */
export function imagePositionIds(h: number, w: number, bucket: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) out.push(r * bucket + c + 1);
  return out;
}

/** [q, k] int32 token buckets for query positions `q0..q0+q-1` against keys 0..k-1. */
export function tokenBucketIds(
  q: number,
  k: number,
  bucket: number,
  maxPosition: number,
  q0 = 0,
): tf.Tensor2D {
  const out = new Int32Array(q * k);
  for (let i = 0; i < q; i++)
    for (let j = 0; j < k; j++) out[i * k + j] = tokenBucket(i + q0 - j, bucket, maxPosition);
  return tf.tensor2d(out, [q, k], 'int32');
}

/** [n, n] int32 image buckets between the given position ids. */
export function imageBucketIds(ids: readonly number[], bucket: number): tf.Tensor2D {
  const n = ids.length;
  const out = new Int32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) out[i * n + j] = imageBucket(ids[i] ?? 0, ids[j] ?? 0, bucket);
  return tf.tensor2d(out, [n, n], 'int32');
}
