/* Attention probabilities row by row: softmax(scores + bias) * mult and its gradient (attention.c). */
#ifndef BIOMED_ATTENTION_H
#define BIOMED_ATTENTION_H
#include "gemm.h"

typedef struct {
  const float *scores; /* [B, H, T, S] q kᵀ (may be out: computed in place) */
  const float *bias;   /* broadcast to [B, H, T, S] by bias_strides (0 along broadcast axes) */
  const float *mult;   /* dropout multiplier by mult_strides, or NULL */
  const float *dp;     /* gradient only: d(probs) [B, H, T, S] */
  float *out;          /* [B, H, T, S]: probs, or d(scores) for the gradient */
  long b, h, t, s;
  long bias_strides[4], mult_strides[4];
} bg_attention;

/* out = softmax(scores + bias) * mult (grad = 0), or out = y ⊙ (g − rowsum(g ⊙ y)) with
 * y = softmax(scores + bias), g = dp ⊙ mult (grad = 1), by the row kernel of `isa`. The rows
 * (B·H·T) are split over `threads` when they hold min_parallel elements or more, by rows only:
 * the same bits for any thread count. */
void bg_attention_run(const bg_attention *p, int grad, int threads, double min_parallel, bg_isa isa);

#endif
