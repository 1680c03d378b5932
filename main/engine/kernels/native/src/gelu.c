/*
 * GELU and its gradient in AVX2 + FMA, operation for operation as wasm-ops/ops.c's gelu4 and
 * gelu_grad4 (Cephes expf, tfjs' Abramowitz-Stegun erf): an FMA exactly where ops.c has MADD
 * (relaxed_madd, which V8 fuses on an FMA CPU), every other product and sum rounded on its own.
 * Contraction is off in this file so the compiler adds no FMA of its own. Tails run the same
 * vector code on a zero-padded copy, so each element gets the same bits wherever a split falls.
 */
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <string.h>

#include "rowops.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "avx2-ops.h"

/* ops.c's one_plus_erf. */
T V one_plus_erf(V z, V *e2) {
  const V sign = F(-0.f);
  V az = _mm256_andnot_ps(sign, z);
  V t = _mm256_div_ps(F(1.f), MADD(F(0.3275911f), az, F(1.f)));
  V p = F(1.061405429f);
  p = MADD(p, t, F(-1.453152027f));
  p = MADD(p, t, F(1.421413741f));
  p = MADD(p, t, F(-0.284496736f));
  p = MADD(p, t, F(0.254829592f));
  V e = vexp(_mm256_xor_ps(sign, MUL(az, az)));
  *e2 = e;
  V y = SUB(F(1.f), MUL(MUL(p, t), e));
  return _mm256_blendv_ps(SUB(F(1.f), y), ADD(F(1.f), y), _mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_GE_OQ));
}

#define SQRT1_2 0.70710678118654752f
#define INV_SQRT_2PI 0.39894228040143268f

T V gelu8(V x) {
  V e2;
  return MUL(MUL(x, F(0.5f)), one_plus_erf(MUL(x, F(SQRT1_2)), &e2));
}

T V gelu_grad8(V dy, V x) {
  V e2;
  V b = one_plus_erf(MUL(x, F(SQRT1_2)), &e2);
  return MUL(dy, ADD(MUL(F(0.5f), b), MUL(MUL(x, e2), F(INV_SQRT_2PI))));
}

typedef struct {
  const float *x, *dy;
  float *out;
} gelu_job;

__attribute__((target("avx2,fma"))) static void gelu_span(void *ctx, long from, long to) {
  const gelu_job *j = ctx;
  long i = from;
  if (j->dy) {
    for (; i + 8 <= to; i += 8)
      _mm256_storeu_ps(j->out + i, gelu_grad8(_mm256_loadu_ps(j->dy + i), _mm256_loadu_ps(j->x + i)));
  } else {
    for (; i + 8 <= to; i += 8) _mm256_storeu_ps(j->out + i, gelu8(_mm256_loadu_ps(j->x + i)));
  }
  if (i == to) return;
  float xs[8] = {0}, ds[8] = {0}, os[8];
  const size_t k = (size_t)(to - i);
  memcpy(xs, j->x + i, k * sizeof(float));
  if (j->dy) memcpy(ds, j->dy + i, k * sizeof(float));
  _mm256_storeu_ps(os, j->dy ? gelu_grad8(_mm256_loadu_ps(ds), _mm256_loadu_ps(xs)) : gelu8(_mm256_loadu_ps(xs)));
  memcpy(j->out + i, os, k * sizeof(float));
}

int bg_gelu(const float *x, const float *dy, float *out, long n, int threads, double min_parallel) {
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return -1;
  gelu_job j = {x, dy, out};
  bg_run_ranges(n, threads, min_parallel, gelu_span, &j);
  return 0;
}
#else
int bg_gelu(const float *x, const float *dy, float *out, long n, int threads, double min_parallel) {
  (void)x, (void)dy, (void)out, (void)n, (void)threads, (void)min_parallel;
  return -1;
}
#endif
