/* Batched products split over the pool by batch slices, rows or columns (never K). */
#ifndef BIOMED_BATCHED_H
#define BIOMED_BATCHED_H
#include "gemm.h"

typedef struct {
  const float *a; /* [batchA, M, K], or [batchA, K, M] with ta */
  const float *b; /* [batchB, K, N], or [batchB, N, K] with tb */
  float *c;       /* [max(batchA, batchB), M, N] */
  long batch_a, batch_b, m, k, n;
  int ta, tb;
} bg_batched;

/* C = op(A) op(B) over `threads` threads (1 below min_parallel_macs). 0, or -1 out of memory. */
int bg_gemm_batched(bg_isa isa, int threads, double min_parallel_macs, const bg_batched *p);

#endif
