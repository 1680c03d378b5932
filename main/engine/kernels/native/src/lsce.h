/* Label-smoothed cross-entropy over rows of a vocabulary on the native pool (lsce.c). */
#ifndef BIOMED_LSCE_H
#define BIOMED_LSCE_H
#include <stdint.h>

typedef struct {
  const float *z;          /* [rows, v] logits (forward) */
  const float *dy;         /* [rows] upstream gradient per row (backward) */
  const float *p;          /* [rows, v] the forward's softmax (backward) */
  const int32_t *targets;  /* [rows] */
  const float *allowed;    /* [rows, v] 0/1, or NULL */
  float *out;              /* forward: p [rows, v]; backward: dz [rows, v] */
  double *stats;           /* forward: [rows, 4] (sum e, sum a x, sum a, x_t) */
  double eps;              /* backward */
  int32_t pad;
  long rows, v;
} bg_lsce;

/* wasm-ops/ops.c's bw_lsce_forward (backward = 0) or bw_lsce_backward (backward = 1), operation for
 * operation in AVX2 + FMA: the same bits. Rows split over `threads` from min_parallel elements, a row
 * wholly on one thread. 0, or -1 when this CPU lacks AVX2 + FMA (nothing written). */
int bg_lsce_run(const bg_lsce *p, int backward, int threads, double min_parallel);

#endif
