/*
 * Single-pass element kernels of the train step, split over the native pool (pool.c) when big
 * enough to pay for waking a worker (~25 us on a 2-core VM). Each output element is computed by
 * exactly the same operations whatever the split, so results are bit-identical at any thread
 * count. No FMA contraction: this file has no target attributes, and x86-64's baseline has no FMA.
 */
#include "rowops.h"

#include "pool.h"

typedef struct {
  bg_range fn;
  void *ctx;
  long total;
  int parts;
} range_job;

static void range_part(void *ctx, int part) {
  const range_job *j = ctx;
  j->fn(j->ctx, j->total * part / j->parts, j->total * (part + 1) / j->parts);
}

void bg_run_ranges(long total, int threads, double min_parallel, bg_range fn, void *ctx) {
  range_job j = {fn, ctx, total, 1};
  if (threads > 1 && (double)total >= min_parallel && total >= threads) j.parts = threads;
  if (j.parts == 1) {
    fn(ctx, 0, total);
  } else {
    bg_pool_run(j.parts, range_part, &j);
  }
}

typedef struct {
  const bg_adamw_item *items;
  long count;
  const bg_adamw_scalars *s;
} adamw_job;

/* One element: the same operations as adamw_one in wasm-ops/ops.c and adamwArrays in adamw-fused.ts. */
static inline void adamw_one(const bg_adamw_item *it, long i, const bg_adamw_scalars *s) {
  const double gi = (double)it->g[i] * s->scale;
  const double mi = (it->m ? (double)it->m[i] * s->b1 : 0.0) + gi * s->c1;
  const double vi = (it->v ? (double)it->v[i] * s->b2 : 0.0) + gi * gi * s->c2;
  const double pi = it->p[i];
  it->om[i] = (float)mi;
  it->ov[i] = (float)vi;
  it->op[i] = (float)(pi - pi * it->decay - (mi / (__builtin_sqrt(vi) + s->eps)) * s->step);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define BG_HAVE_AVX 1

/* Four elements at a time in AVX doubles (no FMA is enabled: every product and sum rounds as above). */
__attribute__((target("avx"))) static long adamw_avx(const bg_adamw_item *it, long from, long to,
                                                     const bg_adamw_scalars *s) {
  const __m256d b1 = _mm256_set1_pd(s->b1), c1 = _mm256_set1_pd(s->c1), b2 = _mm256_set1_pd(s->b2),
                c2 = _mm256_set1_pd(s->c2), eps = _mm256_set1_pd(s->eps), step = _mm256_set1_pd(s->step),
                scale = _mm256_set1_pd(s->scale), decay = _mm256_set1_pd(it->decay), z = _mm256_setzero_pd();
  long i = from;
  for (; i + 4 <= to; i += 4) {
    const __m256d gi = _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(it->g + i)), scale);
    const __m256d pm = it->m ? _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(it->m + i)), b1) : z;
    const __m256d pv = it->v ? _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(it->v + i)), b2) : z;
    const __m256d mi = _mm256_add_pd(pm, _mm256_mul_pd(gi, c1));
    const __m256d vi = _mm256_add_pd(pv, _mm256_mul_pd(_mm256_mul_pd(gi, gi), c2));
    const __m256d pi = _mm256_cvtps_pd(_mm_loadu_ps(it->p + i));
    const __m256d upd = _mm256_mul_pd(_mm256_div_pd(mi, _mm256_add_pd(_mm256_sqrt_pd(vi), eps)), step);
    _mm_storeu_ps(it->om + i, _mm256_cvtpd_ps(mi));
    _mm_storeu_ps(it->ov + i, _mm256_cvtpd_ps(vi));
    _mm_storeu_ps(it->op + i, _mm256_cvtpd_ps(_mm256_sub_pd(_mm256_sub_pd(pi, _mm256_mul_pd(pi, decay)), upd)));
  }
  return i;
}
#endif

static void adamw_range(const bg_adamw_item *it, long from, long to, const bg_adamw_scalars *s) {
  long i = from;
#ifdef BG_HAVE_AVX
  if (__builtin_cpu_supports("avx")) i = adamw_avx(it, from, to, s);
#endif
  for (; i < to; i++) adamw_one(it, i, s);
}

/* Elements [from, to) of the concatenated weights. */
static void adamw_span(void *ctx, long from, long to) {
  const adamw_job *j = ctx;
  long base = 0;
  for (long k = 0; k < j->count && base < to; k++) {
    const long n = j->items[k].n;
    const long lo = from > base ? from - base : 0, hi = to < base + n ? to - base : n;
    if (lo < hi) adamw_range(&j->items[k], lo, hi, j->s);
    base += n;
  }
}

void bg_adamw(const bg_adamw_item *items, long count, const bg_adamw_scalars *s, int threads, double min_parallel) {
  long total = 0;
  for (long k = 0; k < count; k++) total += items[k].n;
  adamw_job j = {items, count, s};
  bg_run_ranges(total, threads, min_parallel, adamw_span, &j);
}
