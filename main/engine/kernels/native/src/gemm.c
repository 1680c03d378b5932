/*
 * BLIS-style f32 GEMM: for each NC-column panel of B, for each KC-deep slice, B is packed into
 * NR-wide slivers; for each MC-row block of A, A is packed into MR-tall slivers; a register-tile
 * microkernel multiplies one A sliver by one B sliver over KC. Transposes are strides read by the
 * packing. Every element of C is one FMA chain over p = 0..K-1 in order starting from 0 (a later KC
 * slice continues from C), whatever the tile, block or thread it falls in: results are
 * bit-identical whatever the split of C between threads, and equal to the wasm FMA GEMM's
 * (wasm-gemm/gemm.c runs the same chains).
 */
#include "gemm.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define BG_X86 1
#endif

#define KC 256
#define MC 144 /* a multiple of every MR (12, 6, 4) */
#define NC 3072 /* a multiple of every NR (32, 16, 8) */
#define MR_MAX 12
#define NR_MAX 32

typedef void (*ukernel)(long kc, const float *a, const float *b, float *c, long ldc, int accumulate);

/* ---- plain C: 4 x 8 ---- */
static void ukr_scalar(long kc, const float *a, const float *b, float *c, long ldc, int accumulate) {
  float acc[4][8];
  for (int i = 0; i < 4; i++) {
    for (int j = 0; j < 8; j++) acc[i][j] = accumulate ? c[i * ldc + j] : 0.0f;
  }
  for (long p = 0; p < kc; p++) {
    for (int i = 0; i < 4; i++) {
      const float ai = a[p * 4 + i];
      for (int j = 0; j < 8; j++) acc[i][j] += ai * b[p * 8 + j];
    }
  }
  for (int i = 0; i < 4; i++) {
    for (int j = 0; j < 8; j++) c[i * ldc + j] = acc[i][j];
  }
}

#ifdef BG_X86
/*
 * One register-tile microkernel: MR rows x 2 vectors of W floats, each accumulator an FMA chain in
 * p order over kc, starting from 0 or (accumulate) from C's value, then stored into C.
 */
#define BG_UKERNEL(NAME, TARGET, MR, W, VEC, ZERO, LOAD, STORE, SET1, FMA)                            \
  __attribute__((target(TARGET))) static void NAME(long kc, const float *a, const float *b, float *c,   \
                                                   long ldc, int accumulate) {                           \
    VEC c0[MR], c1[MR];                                                                                 \
    _Pragma("GCC unroll 16") for (int i = 0; i < MR; i++) {                                             \
      c0[i] = accumulate ? LOAD(c + i * ldc) : ZERO();                                                  \
      c1[i] = accumulate ? LOAD(c + i * ldc + W) : ZERO();                                              \
    }                                                                                                   \
    for (long p = 0; p < kc; p++) {                                                                     \
      const VEC b0 = LOAD(b + p * 2 * W);                                                               \
      const VEC b1 = LOAD(b + p * 2 * W + W);                                                           \
      _Pragma("GCC unroll 16") for (int i = 0; i < MR; i++) {                                           \
        const VEC ai = SET1(a[p * MR + i]);                                                             \
        c0[i] = FMA(ai, b0, c0[i]);                                                                     \
        c1[i] = FMA(ai, b1, c1[i]);                                                                     \
      }                                                                                                 \
    }                                                                                                   \
    _Pragma("GCC unroll 16") for (int i = 0; i < MR; i++) {                                             \
      float *ci = c + i * ldc;                                                                          \
      STORE(ci, c0[i]);                                                                                 \
      STORE(ci + W, c1[i]);                                                                             \
    }                                                                                                   \
  }

/* AVX2 + FMA: 6 x 16 (12 accumulators, 2 B vectors, 1 broadcast of 16 ymm registers) */
BG_UKERNEL(ukr_avx2, "avx2,fma", 6, 8, __m256, _mm256_setzero_ps, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps,
           _mm256_fmadd_ps)
/* AVX-512F + VL, narrow products (N <= 16): 12 x 16 in ymm registers (24 accumulators of 32) */
BG_UKERNEL(ukr_avx512_narrow, "avx512f,avx512vl,fma", 12, 8, __m256, _mm256_setzero_ps, _mm256_loadu_ps,
           _mm256_storeu_ps, _mm256_set1_ps, _mm256_fmadd_ps)
/* AVX-512F: 12 x 32 (24 accumulators, 2 B vectors, broadcasts from memory, of 32 zmm registers) */
BG_UKERNEL(ukr_avx512, "avx512f", 12, 16, __m512, _mm512_setzero_ps, _mm512_loadu_ps, _mm512_storeu_ps,
           _mm512_set1_ps, _mm512_fmadd_ps)
#endif

typedef struct {
  int mr, nr;
  ukernel ukr;
  const char *name;
} kernel_info;

static kernel_info kernel_of(bg_isa isa) {
#ifdef BG_X86
  if (isa == BG_AVX512 + 1) return (kernel_info){12, 16, ukr_avx512_narrow, "avx512"};
  if (isa == BG_AVX512) return (kernel_info){12, 32, ukr_avx512, "avx512"};
  if (isa == BG_AVX2) return (kernel_info){6, 16, ukr_avx2, "avx2"};
#endif
  return (kernel_info){4, 8, ukr_scalar, "scalar"};
}

int bg_isa_supported(bg_isa isa) {
  if (isa == BG_SCALAR) return 1;
#ifdef BG_X86
  __builtin_cpu_init();
  if (isa == BG_AVX2) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (isa == BG_AVX512) return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
#endif
  return 0;
}

bg_isa bg_best_isa(void) {
  if (bg_isa_supported(BG_AVX512)) return BG_AVX512;
  if (bg_isa_supported(BG_AVX2)) return BG_AVX2;
  return BG_SCALAR;
}

const char *bg_isa_name(bg_isa isa) { return kernel_of(isa).name; }
int bg_mr(bg_isa isa) { return kernel_of(isa).mr; }
int bg_nr(bg_isa isa) { return kernel_of(isa).nr; }

/*
 * Packs `extent` lines (rows of A, columns of B) of kc elements into w-wide slivers:
 * out[s][p][i] = x(s*w + i, p) with x(i, p) = base[i * si + p * sp], 0 past extent. A block is
 * pack(a + ic*rsa + pc*csa, rsa, csa, ...), a B panel pack(b + jc*csb + pc*rsb, csb, rsb, ...).
 */
static void pack(const float *base, long si, long sp, long extent, long kc, int w, float *out) {
  for (long s = 0; s < extent; s += w) {
    const long lines = extent - s < w ? extent - s : w;
    const float *src = base + s * si;
    if (si == 1) {
      /* the w lines of one p are contiguous (plain B, transposed A) */
      for (long p = 0; p < kc; p++) {
        long i = 0;
        for (; i < lines; i++) out[p * w + i] = src[p * sp + i];
        for (; i < w; i++) out[p * w + i] = 0.0f;
      }
    } else {
      for (long i = 0; i < w; i++) {
        if (i < lines) {
          for (long p = 0; p < kc; p++) out[p * w + i] = src[i * si + p * sp];
        } else {
          for (long p = 0; p < kc; p++) out[p * w + i] = 0.0f;
        }
      }
    }
    out += kc * w;
  }
}

/* Packing buffers of each thread, kept for its lifetime (pool workers live as long as the process). */
static __thread float *tl_a, *tl_b;

static int buffers(void) {
  if (!tl_a) tl_a = aligned_alloc(64, sizeof(float) * MC * KC);
  if (!tl_b) tl_b = aligned_alloc(64, sizeof(float) * KC * NC);
  return tl_a && tl_b ? 0 : -1;
}

int bg_gemm_serial(bg_isa isa, const bg_product *x) {
  /* N <= 16 would waste half of each 32-wide tile: the same FMA chains, 16 wide (same bits) */
  const kernel_info ki = kernel_of(isa == BG_AVX512 && x->n <= 16 ? BG_AVX512 + 1 : isa);
  const int mr = ki.mr, nr = ki.nr;
  const long m = x->m, k = x->k, n = x->n, ldc = x->ldc;
  if (m <= 0 || n <= 0) return 0;
  if (k <= 0) {
    for (long i = 0; i < m; i++) memset(x->c + i * ldc, 0, sizeof(float) * n);
    return 0;
  }
  if (buffers()) return -1;
  float edge[MR_MAX * NR_MAX] = {0};
  for (long jc = 0; jc < n; jc += NC) {
    const long nc = n - jc < NC ? n - jc : NC;
    for (long pc = 0; pc < k; pc += KC) {
      const long kc = k - pc < KC ? k - pc : KC;
      const int accumulate = pc > 0;
      pack(x->b + jc * x->csb + pc * x->rsb, x->csb, x->rsb, nc, kc, nr, tl_b);
      for (long ic = 0; ic < m; ic += MC) {
        const long mc = m - ic < MC ? m - ic : MC;
        pack(x->a + ic * x->rsa + pc * x->csa, x->rsa, x->csa, mc, kc, mr, tl_a);
        for (long jr = 0; jr < nc; jr += nr) {
          const long cols = nc - jr < nr ? nc - jr : nr;
          const float *bs = tl_b + jr * kc;
          for (long ir = 0; ir < mc; ir += mr) {
            const long rows = mc - ir < mr ? mc - ir : mr;
            const float *as = tl_a + ir * kc;
            float *cij = x->c + (ic + ir) * ldc + jc + jr;
            if (rows == mr && cols == nr) {
              ki.ukr(kc, as, bs, cij, ldc, accumulate);
            } else {
              /* edge tile: the same chains on a scratch tile holding C's valid part, copied back */
              if (accumulate) {
                for (long i = 0; i < rows; i++) memcpy(edge + i * nr, cij + i * ldc, sizeof(float) * cols);
              }
              ki.ukr(kc, as, bs, edge, nr, accumulate);
              for (long i = 0; i < rows; i++) memcpy(cij + i * ldc, edge + i * nr, sizeof(float) * cols);
            }
          }
        }
      }
    }
  }
  return 0;
}
