/*
 * Attention probabilities and their gradient, one query row at a time. Each row is done wholly by
 * one thread, in the same order whatever the split, so the results are bit-identical at any thread
 * count. Per row: x = scores + bias, y = exp(x - max x) / sum, then probs = y * mult; the gradient
 * recomputes y and gives y * (g - sum(g * y)) with g = dp * mult (tfjs' Softmax and Multiply
 * gradients, as wasm-attention-probs.ts composes them).
 */
#include "attention.h"

#include <math.h>
#include <stddef.h>

#include "pool.h"

/* Measured in native-attention.test.ts' neighbour bench (bench/native-attention.ts): below ~64K
 * elements a second thread costs more (~25 us to wake) than it saves. */
double bg_attention_min_parallel = 65536;

typedef struct {
  const bg_attention *p;
  int grad;
  long rows, step;
} job;

static void row(const bg_attention *p, int grad, long r) {
  const long s = p->s, t = r % p->t, h = (r / p->t) % p->h, b = r / (p->t * p->h);
  const long *bs = p->bias_strides, *ms = p->mult_strides;
  const float *x = p->scores + r * s;
  const float *bias = p->bias + b * bs[0] + h * bs[1] + t * bs[2];
  const float *mult = p->mult ? p->mult + b * ms[0] + h * ms[1] + t * ms[2] : NULL;
  float *out = p->out + r * s;
  float max = -INFINITY;
  for (long j = 0; j < s; j++) {
    const float v = x[j] + bias[j * bs[3]];
    if (v > max) max = v;
  }
  float sum = 0;
  for (long j = 0; j < s; j++) {
    const float e = expf(x[j] + bias[j * bs[3]] - max);
    out[j] = e;
    sum += e;
  }
  if (!grad) {
    for (long j = 0; j < s; j++) out[j] = mult ? out[j] / sum * mult[j * ms[3]] : out[j] / sum;
    return;
  }
  const float *dp = p->dp + r * s;
  float dot = 0;
  for (long j = 0; j < s; j++) {
    const float y = out[j] / sum;
    out[j] = y;
    dot += (mult ? dp[j] * mult[j * ms[3]] : dp[j]) * y;
  }
  for (long j = 0; j < s; j++) {
    const float g = mult ? dp[j] * mult[j * ms[3]] : dp[j];
    out[j] = g * out[j] - dot * out[j];
  }
}

static void task(void *ctx, int part) {
  const job *j = ctx;
  const long end = (part + 1) * j->step < j->rows ? (part + 1) * j->step : j->rows;
  for (long r = part * j->step; r < end; r++) row(j->p, j->grad, r);
}

void bg_attention_run(const bg_attention *p, int grad, int threads) {
  const long rows = p->b * p->h * p->t;
  job j = {p, grad, rows, rows};
  if (threads < 2 || rows < 2 || (double)rows * p->s < bg_attention_min_parallel) {
    task(&j, 0);
    return;
  }
  if (threads > rows) threads = (int)rows;
  j.step = (rows + threads - 1) / threads;
  bg_pool_run((int)((rows + j.step - 1) / j.step), task, &j);
}
