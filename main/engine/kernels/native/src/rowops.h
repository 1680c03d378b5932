/* Single-pass element kernels of the train step on the native pool (rowops.c). */
#ifndef BIOMED_ROWOPS_H
#define BIOMED_ROWOPS_H

/* One weight of an AdamW set: float pointers into the heap; m, v NULL on the first update (zeros). */
typedef struct {
  const float *p, *g, *m, *v;
  float *op, *om, *ov;
  long n;
  double decay; /* lr * weightDecay, rounded to float32 by the caller */
} bg_adamw_item;

/* b1, 1 - b1, b2, 1 - b2, eps, stepSize, gradScale: each rounded to float32 by the caller. */
typedef struct {
  double b1, c1, b2, c2, eps, step, scale;
} bg_adamw_scalars;

/*
 * AdamW over every item, in double and rounded on store as adamwArrays (adamw-fused.ts) and ops.c's
 * bw_adamw: the same bits. The concatenated elements are split into `threads` equal ranges when
 * there are at least min_parallel of them (each element is independent: bit-identical for any split).
 */
void bg_adamw(const bg_adamw_item *items, long count, const bg_adamw_scalars *s, int threads, double min_parallel);

#endif
