/*
 * Label-smoothed cross-entropy, forward and backward, row by row on the native pool: wasm-ops/ops.c's
 * bw_lsce_forward and bw_lsce_backward operation for operation (8 AVX2 lanes where ops.c has 4):
 * vexp as gelu.c mirrors it, the double-precision row sums accumulated group of 4 by group of 4 in
 * ops.c's order (lanes 0-1 and 2-3 of each group into two f64x2 pairs), contraction off. So p, the
 * row statistics and dz equal the wasm kernel's bit for bit, whatever the thread count (a row is
 * one thread's). The caller takes the logarithm (label-smoothed-ce.ts' rowLoss), as for the wasm
 * kernel. On the train step's [256, 4096] the wasm forward spends ~2.6 ms of a ~39 ms cpu-xs step.
 */
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "lsce.h"

#include <string.h>

#include "rowops.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "avx2-ops.h"

typedef __m256d D;
#define AVX2 __attribute__((target("avx2,fma")))

/* ops.c's masked: z where allowed (or no mask), z + (a - 1) 1e9 otherwise. */
T V masked8(const float *z, const float *a) {
  V zv = _mm256_loadu_ps(z);
  return a ? ADD(zv, MUL(SUB(_mm256_loadu_ps(a), F(1.f)), F(1e9f))) : zv;
}

/* Adds the low then the high group of 4 floats of x, widened, to acc: ops.c's ACC64 twice. */
T D acc2(D acc, V x) {
  acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_castps256_ps128(x)));
  return _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1)));
}

/* ops.c's hsum2(lo) + hsum2(hi) of the pair held as one 4-lane acc. */
AVX2 static double pair_sum(D acc) {
  double l[4];
  _mm256_storeu_pd(l, acc);
  return (l[0] + l[1]) + (l[2] + l[3]);
}

/* ops.c's hsum4 of a 4-lane float count (the low and high groups added in order). */
AVX2 static double count4(__m128 c) {
  float l[4];
  _mm_storeu_ps(l, c);
  return (double)l[0] + l[1] + l[2] + l[3];
}

AVX2 static void forward_row(const bg_lsce *q, long r) {
  const long v = q->v;
  float *pr = q->out + r * v;
  if (q->targets[r] == q->pad) {
    memset(pr, 0, (size_t)v * sizeof(float));
    return;
  }
  const float *zr = q->z + r * v, *ar = q->allowed ? q->allowed + r * v : NULL;
  const long full = v / 8 * 8, rem = v - full;
  /* the tail as one padded vector: -inf (max), 0 (sums) past the end, as ops.c's partial group */
  float zt8[8] = {0}, at8[8] = {0};
  memcpy(zt8, zr + full, (size_t)rem * sizeof(float));
  if (ar) memcpy(at8, ar + full, (size_t)rem * sizeof(float));
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const V keep = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32((int)rem), lane));
  V mx = F(-__builtin_inff()), nan = _mm256_setzero_ps();
  for (long j = 0; j < full; j += 8) {
    V x = masked8(zr + j, ar ? ar + j : NULL);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
    mx = _mm256_max_ps(mx, x);
  }
  if (rem) {
    V x = _mm256_blendv_ps(F(-__builtin_inff()), masked8(zt8, ar ? at8 : NULL), keep);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
    mx = _mm256_max_ps(mx, x);
  }
  float l[8];
  _mm256_storeu_ps(l, mx);
  float m = l[0];
  for (int i = 1; i < 8; i++) m = l[i] > m ? l[i] : m;
  if (_mm256_movemask_ps(nan)) m = __builtin_nanf(""); /* wasm's max and ops.c's reduction keep a NaN */
  const V vm = F(m);
  D s = _mm256_setzero_pd(), w = s;
  __m128 cnt = _mm_setzero_ps();
  for (long j = 0; j <= full; j += 8) {
    const int tail = j == full;
    if (tail && !rem) break;
    const float *zj = tail ? zt8 : zr + j, *aj = ar ? (tail ? at8 : ar + j) : NULL;
    V x = SUB(masked8(zj, aj), vm);
    V e = vexp(x);
    if (tail) {
      float e8[8];
      _mm256_storeu_ps(e8, e);
      memcpy(pr + j, e8, (size_t)rem * sizeof(float));
      e = _mm256_and_ps(e, keep);
      x = _mm256_and_ps(x, keep);
    } else {
      _mm256_storeu_ps(pr + j, e);
    }
    s = acc2(s, e);
    if (aj) {
      V a = _mm256_loadu_ps(aj);
      w = acc2(w, MUL(a, x));
      cnt = _mm_add_ps(cnt, _mm256_castps256_ps128(a));
      cnt = _mm_add_ps(cnt, _mm256_extractf128_ps(a, 1));
    } else {
      w = acc2(w, x);
    }
  }
  const double sum = pair_sum(s);
  const D inv = _mm256_set1_pd(1.0 / sum);
  long j = 0;
  for (; j + 4 <= v; j += 4) /* e / sum in double, rounded once */
    _mm_storeu_ps(pr + j, _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(pr + j)), inv)));
  for (; j < v; j++) pr[j] = (float)(pr[j] * (1.0 / sum));
  const int32_t t = q->targets[r];
  const float zt = ar && ar[t] == 0.f ? zr[t] - 1e9f : zr[t];
  double *st = q->stats + 4 * r;
  st[0] = sum;
  st[1] = pair_sum(w);
  st[2] = ar ? count4(cnt) : (double)v;
  st[3] = (double)(zt - m);
}

/* ops.c's bw_lsce_backward: in double, operation for operation, then rounded. */
AVX2 static void backward_row(const bg_lsce *q, long r) {
  const long v = q->v;
  float *dr = q->out + r * v;
  if (q->targets[r] == q->pad) {
    memset(dr, 0, (size_t)v * sizeof(float));
    return;
  }
  const float *pr = q->p + r * v, *ar = q->allowed ? q->allowed + r * v : NULL;
  const int32_t t = q->targets[r];
  double count = (double)v;
  if (ar) {
    __m128 cnt = _mm_setzero_ps();
    long j = 0;
    for (; j + 4 <= v; j += 4) cnt = _mm_add_ps(cnt, _mm_loadu_ps(ar + j));
    if (j < v) {
      float a4[4] = {0};
      memcpy(a4, ar + j, (size_t)(v - j) * sizeof(float));
      cnt = _mm_add_ps(cnt, _mm_loadu_ps(a4));
    }
    count = count4(cnt);
  }
  const double eps = q->eps, epsI = eps > 0 ? eps / (count - 1 > 1 ? count - 1 : 1) : 0;
  const double g = q->dy[r], cNll = 1 - eps - epsI;
  const D vg = _mm256_set1_pd(g), vc = _mm256_set1_pd(cNll), ve = _mm256_set1_pd(epsI), vn = _mm256_set1_pd(count);
  long j = 0;
  for (; j + 4 <= v; j += 4) {
    const D pj = _mm256_cvtps_pd(_mm_loadu_ps(pr + j));
    const D a = ar ? _mm256_cvtps_pd(_mm_loadu_ps(ar + j)) : _mm256_set1_pd(1.0);
    const D h = _mm256_mul_pd(
        vg, _mm256_add_pd(_mm256_mul_pd(vc, pj), _mm256_mul_pd(ve, _mm256_sub_pd(_mm256_mul_pd(vn, pj), a))));
    _mm_storeu_ps(dr + j, _mm256_cvtpd_ps(h));
  }
  for (; j < v; j++) {
    const double a = ar ? ar[j] : 1.0, pj = pr[j];
    dr[j] = (float)(g * (cNll * pj + epsI * (count * pj - a)));
  }
  dr[t] = (float)(dr[t] - g * cNll);
}

typedef struct {
  const bg_lsce *q;
  int backward;
} lsce_job;

static void rows_span(void *ctx, long from, long to) {
  const lsce_job *j = ctx;
  for (long r = from; r < to; r++) j->backward ? backward_row(j->q, r) : forward_row(j->q, r);
}

int bg_lsce_run(const bg_lsce *p, int backward, int threads, double min_parallel) {
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return -1;
  lsce_job j = {p, backward};
  /* by rows, from min_parallel elements */
  bg_run_ranges(p->rows, (double)p->rows * p->v >= min_parallel ? threads : 1, 0, rows_span, &j);
  return 0;
}
#else
int bg_lsce_run(const bg_lsce *p, int backward, int threads, double min_parallel) {
  (void)p, (void)backward, (void)threads, (void)min_parallel;
  return -1;
}
#endif
