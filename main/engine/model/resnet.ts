import * as tf from '@tensorflow/tfjs-core';
import { batchNormTrain } from '#main/engine/kernels/batch-norm';
import { runningStats } from '#main/engine/kernels/batch-norm-running';
import type { ForwardContext } from './context';
import { conv2d } from './conv';
import { add, relu } from './ops';
import { weight } from './weights';

const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;

/**
 * BatchNorm2d over NHWC. Training: batch statistics (biased variance; the fused kernel of
 * kernels/batch-norm.ts where registered), and new running statistics (unbiased variance,
 * momentum 0.1) recorded in ctx.bnUpdates. Eval: running statistics.
 */
export function batchNorm(ctx: ForwardContext, prefix: string, x: tf.Tensor4D): tf.Tensor4D {
  const gamma = weight(ctx.weights, `${prefix}.weight`);
  const beta = weight(ctx.weights, `${prefix}.bias`);
  const runMean = weight(ctx.weights, `${prefix}.running_mean`);
  const runVar = weight(ctx.weights, `${prefix}.running_var`);
  if (ctx.training) {
    // Fused kernel (batch statistics, biased variance for the normalisation) where registered,
    // tf ops otherwise; mean/variance are only read for the running averages, outside the loss.
    const { y, mean, variance } = batchNormTrain(x, gamma, beta, BN_EPS); // y [B, H, W, C]; mean, variance [C]
    // PyTorch: running_var is unbiased; one kernel call where registered (kernels/batch-norm-running)
    const count = x.size / (x.shape[3] ?? 1);
    const [m, v] = runningStats(
      { mean: runMean, variance: runVar },
      { mean, variance },
      { count, momentum: BN_MOMENTUM },
    );
    ctx.bnUpdates.set(`${prefix}.running_mean`, tf.keep(m)); // [C]
    ctx.bnUpdates.set(`${prefix}.running_var`, tf.keep(v)); // [C]
    return y as tf.Tensor4D;
  }
  const xhat = tf.mul(tf.sub(x, runMean), tf.rsqrt(tf.add(runVar, BN_EPS))); // [B, H, W, C]
  return tf.add(tf.mul(xhat, gamma), beta) as tf.Tensor4D;
}

function bottleneck(
  ctx: ForwardContext,
  prefix: string,
  x: tf.Tensor4D,
  stride: 1 | 2,
  downsample: boolean,
): tf.Tensor4D {
  const w = (n: string) => weight(ctx.weights, `${prefix}.${n}`);
  let y = relu(ctx, batchNorm(ctx, `${prefix}.bn1`, conv2d(x, w('conv1.weight'), 1, 0))); // [B, H, W, p]
  y = relu(ctx, batchNorm(ctx, `${prefix}.bn2`, conv2d(y, w('conv2.weight'), stride, 1))); // [B, H/s, W/s, p] (v1.5: stride here)
  y = batchNorm(ctx, `${prefix}.bn3`, conv2d(y, w('conv3.weight'), 1, 0)); // [B, H/s, W/s, 4p]
  const identity = downsample
    ? batchNorm(ctx, `${prefix}.downsample.1`, conv2d(x, w('downsample.0.weight'), stride, 0))
    : x; // [B, H/s, W/s, 4p]
  return relu(ctx, add(ctx, y, identity)) as tf.Tensor4D;
}

/**
 * The image backbone: conv1 7x7/2, BN, ReLU, maxpool 3x3/2, stages 1-3 of Bottleneck v1.5.
 * @param images [B, H, W, 3] normalised
 * @returns [B, H/16, W/16, 16 * width]
 */
export function resnet(ctx: ForwardContext, images: tf.Tensor4D): tf.Tensor4D {
  const pre = 'encoder.embed_images';
  let x: tf.Tensor4D = conv2d(images, weight(ctx.weights, `${pre}.conv1.weight`), 2, 3); // [B, H/2, W/2, w]
  x = relu(ctx, batchNorm(ctx, `${pre}.bn1`, x));
  // Zero padding equals torch's -inf padding here: inputs are >= 0 after ReLU.
  x = tf.maxPool(x, 3, 2, 1) as tf.Tensor4D; // [B, H/4, W/4, w]
  ctx.config.resnetBlocks.forEach((blocks, s) => {
    for (let b = 0; b < blocks; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1;
      const input = x;
      // one scope per block: intermediates the tape does not keep are freed now
      x = tf.tidy(() => bottleneck(ctx, `${pre}.layer${s + 1}.${b}`, input, stride, b === 0));
    }
  });
  return x;
}
