/* AVX2 + FMA mirrors of wasm-ops/ops.c's vector helpers (8 lanes where ops.c has 4), operation for
 * operation: MADD is an FMA exactly where ops.c has relaxed_madd, which V8 fuses on an FMA CPU.
 * Included by files that turn contraction off (gelu.c, lsce.c), x86-64 only. */
#ifndef BIOMED_AVX2_OPS_H
#define BIOMED_AVX2_OPS_H
#include <immintrin.h>

#define T __attribute__((target("avx2,fma"))) static inline
typedef __m256 V;

T V F(float x) { return _mm256_set1_ps(x); }
T V MUL(V a, V b) { return _mm256_mul_ps(a, b); }
T V ADD(V a, V b) { return _mm256_add_ps(a, b); }
T V SUB(V a, V b) { return _mm256_sub_ps(a, b); }
T V MADD(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }

/* ops.c's vexp; wasm pmax(x, lo) = x < lo ? lo : x = max_ps(lo, x), pmin likewise. */
T V vexp(V x) {
  const V lo = F(-87.33654f);
  V xc = _mm256_min_ps(F(88.37626f), _mm256_max_ps(lo, x));
  V t = ADD(MUL(xc, F(1.44269504088896341f)), F(12582912.f));
  V n = SUB(t, F(12582912.f));
  V r = SUB(xc, MUL(n, F(0.693359375f)));
  r = SUB(r, MUL(n, F(-2.12194440e-4f)));
  V p = F(1.9875691500e-4f);
  p = MADD(p, r, F(1.3981999507e-3f));
  p = MADD(p, r, F(8.3334519073e-3f));
  p = MADD(p, r, F(4.1665795894e-2f));
  p = MADD(p, r, F(1.6666665459e-1f));
  p = MADD(p, r, F(5.0000001201e-1f));
  p = ADD(ADD(MUL(MUL(p, r), r), r), F(1.f));
  __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(127 - 0x4B400000)), 23);
  return _mm256_andnot_ps(_mm256_cmp_ps(x, lo, _CMP_LT_OQ), MUL(p, _mm256_castsi256_ps(bits)));
}

#endif
