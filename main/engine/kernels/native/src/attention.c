/*
 * Attention probabilities and their gradient, one query row at a time. Each row is done wholly by
 * one thread, in the same order whatever the split, so the results are bit-identical at any thread
 * count (for one kernel: the AVX-512 / AVX2 / plain builds of the row below contract differently).
 * Per row: x = scores + bias, y = exp(x - max x) / sum, then probs = y * mult; the gradient
 * recomputes y and gives y * (g - sum(g * y)) with g = dp * mult (tfjs' Softmax and Multiply
 * gradients, as wasm-attention-probs.ts composes them). exp is a branch-free polynomial the
 * compiler vectorises (Cephes' expf: within 2 ulp), the row sums run in 16 fixed lanes.
 */
#include "attention.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "pool.h"

#if defined(__x86_64__) || defined(__i386__)
#define BG_X86 1
#endif

#define LANES 16

/* e^x for x <= 0 (x - max): 0 below -87.3 (where float underflows), else Cephes' expf. */
static inline __attribute__((always_inline)) float exp_neg(float x) {
  const float big = 12582912.0f; /* 1.5 * 2^23: adding it rounds to a whole number */
  const float n = (x * 1.44269504088896341f + big) - big;
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int bits = ((int)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return x < -87.3f ? 0.0f : p * scale;
}

/* One row (r): out[0..s) = probs, or d(scores) when grad. */
#define BG_ATTENTION_ROW(NAME, ATTR)                                                                   \
  ATTR static void NAME(const bg_attention *p, int grad, long r) {                                     \
    const long s = p->s, t = r % p->t, h = (r / p->t) % p->h, b = r / (p->t * p->h);                    \
    const long *bs = p->bias_strides, *ms = p->mult_strides;                                           \
    const float *x = p->scores + r * s, *bias = p->bias + b * bs[0] + h * bs[1] + t * bs[2];           \
    const float *mult = p->mult ? p->mult + b * ms[0] + h * ms[1] + t * ms[2] : NULL;                  \
    float *out = p->out + r * s;                                                                       \
    if (bs[3] == 1) {                                                                                  \
      for (long j = 0; j < s; j++) out[j] = x[j] + bias[j];                                            \
    } else {                                                                                           \
      for (long j = 0; j < s; j++) out[j] = x[j] + bias[j * bs[3]];                                    \
    }                                                                                                  \
    float lane[LANES];                                                                                 \
    for (int l = 0; l < LANES; l++) lane[l] = -INFINITY;                                               \
    long j = 0;                                                                                        \
    for (; j + LANES <= s; j += LANES)                                                                 \
      for (int l = 0; l < LANES; l++) lane[l] = out[j + l] > lane[l] ? out[j + l] : lane[l];           \
    float max = -INFINITY;                                                                             \
    for (int l = 0; l < LANES; l++) max = lane[l] > max ? lane[l] : max;                               \
    for (; j < s; j++) max = out[j] > max ? out[j] : max;                                              \
    for (j = 0; j < s; j++) out[j] = exp_neg(out[j] - max);                                            \
    const float sum = lanes_sum(out, NULL, s);                                                         \
    if (!grad) {                                                                                       \
      if (mult && ms[3] == 1) {                                                                        \
        for (j = 0; j < s; j++) out[j] = out[j] / sum * mult[j];                                       \
      } else if (mult) {                                                                               \
        for (j = 0; j < s; j++) out[j] = out[j] / sum * mult[j * ms[3]];                               \
      } else {                                                                                         \
        for (j = 0; j < s; j++) out[j] = out[j] / sum;                                                 \
      }                                                                                                \
      return;                                                                                          \
    }                                                                                                  \
    const float *dp = p->dp + r * s;                                                                   \
    for (j = 0; j < s; j++) out[j] = out[j] / sum;                                                     \
    /* g = dp * mult, kept nowhere: recomputed below in the same way (same bits) */                    \
    float dot;                                                                                         \
    if (mult) {                                                                                        \
      dot = 0;                                                                                         \
      for (j = 0; j < s; j++) dot += dp[j] * mult[j * ms[3]] * out[j];                                 \
      for (j = 0; j < s; j++) {                                                                        \
        const float g = dp[j] * mult[j * ms[3]];                                                       \
        out[j] = g * out[j] - dot * out[j];                                                            \
      }                                                                                                \
    } else {                                                                                           \
      dot = lanes_sum(dp, out, s);                                                                     \
      for (j = 0; j < s; j++) out[j] = dp[j] * out[j] - dot * out[j];                                  \
    }                                                                                                  \
  }

/* sum of a[j] (b NULL) or a[j] * b[j] over j < s, in LANES fixed lanes then in order. */
static inline __attribute__((always_inline)) float lanes_sum(const float *a, const float *b, long s) {
  float lane[LANES] = {0};
  long j = 0;
  for (; j + LANES <= s; j += LANES)
    for (int l = 0; l < LANES; l++) lane[l] += b ? a[j + l] * b[j + l] : a[j + l];
  float sum = 0;
  for (int l = 0; l < LANES; l++) sum += lane[l];
  for (; j < s; j++) sum += b ? a[j] * b[j] : a[j];
  return sum;
}

BG_ATTENTION_ROW(row_plain, )
#ifdef BG_X86
BG_ATTENTION_ROW(row_avx2, __attribute__((target("avx2,fma"))))
BG_ATTENTION_ROW(row_avx512, __attribute__((target("avx512f,avx512vl,avx2,fma"))))
#endif

typedef void (*row_fn)(const bg_attention *, int, long);

typedef struct {
  const bg_attention *p;
  row_fn row;
  int grad;
  long rows, step;
} job;

static void task(void *ctx, int part) {
  const job *j = ctx;
  const long end = (part + 1) * j->step < j->rows ? (part + 1) * j->step : j->rows;
  for (long r = part * j->step; r < end; r++) j->row(j->p, j->grad, r);
}

void bg_attention_run(const bg_attention *p, int grad, int threads, double min_parallel, bg_isa isa) {
  const long rows = p->b * p->h * p->t;
  row_fn row = row_plain;
#ifdef BG_X86
  if (isa == BG_AVX512) row = row_avx512;
  if (isa == BG_AVX2) row = row_avx2;
#else
  (void)isa;
#endif
  job j = {p, row, grad, rows, rows};
  if (threads < 2 || rows < 2 || (double)rows * p->s < min_parallel) {
    task(&j, 0);
    return;
  }
  if (threads > rows) threads = (int)rows;
  j.step = (rows + threads - 1) / threads;
  bg_pool_run((int)((rows + j.step - 1) / j.step), task, &j);
}
