/* Single-pass element kernels of the train step on the native pool (rowops.c). */
#ifndef BIOMED_ROWOPS_H
#define BIOMED_ROWOPS_H

/* Runs fn(ctx, from, to) over [0, total) split into `threads` equal ranges on the pool (pool.c)
 * when total >= min_parallel, else once on the calling thread. */
typedef void (*bg_range)(void *ctx, long from, long to);
void bg_run_ranges(long total, int threads, double min_parallel, bg_range fn, void *ctx);

/* GELU (dy == NULL: y = gelu(x)) or its gradient (out = dy gelu'(x)) over n floats, as wasm-ops/ops.c's
 * bw_gelu / bw_gelu_grad compute them with FMA (the same operations: the same bits as its relaxed
 * build where that fuses). 0, or -1 when this CPU lacks AVX2 + FMA (nothing written). gelu.c. */
int bg_gelu(const float *x, const float *dy, float *out, long n, int threads, double min_parallel);

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
