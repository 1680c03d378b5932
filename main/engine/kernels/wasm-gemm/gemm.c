/* The engine's f32 GEMM for the single-threaded tfjs wasm backend: C[M,N] = A[M,K] B[K,N], row-major,
 * on the tfjs module's own memory (imported), with 4x8 register tiles over a packed B.
 * Built by build.sh (clang-16, wasm-ld-16) twice: WF_RELAXED = f32x4.relaxed_madd (FMA; Node 20
 * needs --experimental-wasm-relaxed-simd), otherwise f32x4.mul + f32x4.add, which rounds exactly as
 * XNNPACK's f32 GEMM does (bit-identical products). The module must not touch memory it does not
 * own: no data segments, no stack (build.sh checks both).
 * Why 4x8: V8 (x64) allocates 15 xmm registers and loads all MR broadcasts of a k step before their
 * multiply-adds: 4x8 needs 8 accumulators + 2 B vectors + 4 broadcasts (+1 temporary for mul+add);
 * 6x8 spills (bench/wasm-fma, bench/RESULTS.md "Relaxed-SIMD FMA"). */
#include <stdint.h>
#include <wasm_simd128.h>

#ifdef WF_RELAXED
#if __clang_major__ < 16
#error "the relaxed build needs clang >= 16 (clang 14 emits the relaxed-SIMD prototype's opcode)"
#endif
#define MADD(a, b, c) ((v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(c)))
#else
#define MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul((a), (b)), (c))
#endif

#define EXPORT(name) __attribute__((export_name(#name))) name
#define NR 8

/* Floats the packed copy of a [K, N] matrix takes: ceil(N / 8) * 8 * K. */
int32_t EXPORT(bw_packed_size)(int32_t K, int32_t N) { return (N + NR - 1) / NR * NR * K; }

/* Bp[p][k][0..8) = B[k][8p + j], zero where 8p + j >= N. */
void EXPORT(bw_pack_b)(const float *B, int32_t K, int32_t N, float *Bp) {
  for (int32_t j0 = 0; j0 < N; j0 += NR) {
    const int32_t nr = N - j0 < NR ? N - j0 : NR;
    for (int32_t k = 0; k < K; k++) {
      const float *src = B + k * N + j0;
      if (nr == NR) {
        wasm_v128_store(Bp, wasm_v128_load(src));
        wasm_v128_store(Bp + 4, wasm_v128_load(src + 4));
      } else {
        for (int32_t j = 0; j < NR; j++) Bp[j] = j < nr ? src[j] : 0.f;
      }
      Bp += NR;
    }
  }
}

/* The same panels from Bt = B^T stored [N, K] row-major (B[k][j] = Bt[j * K + k]): no transpose pass. */
void EXPORT(bw_pack_bt)(const float *Bt, int32_t K, int32_t N, float *Bp) {
  for (int32_t j0 = 0; j0 < N; j0 += NR) {
    const int32_t nr = N - j0 < NR ? N - j0 : NR;
    const float *src = Bt + j0 * K;
    for (int32_t k = 0; k < K; k++) {
      for (int32_t j = 0; j < NR; j++) Bp[j] = j < nr ? src[j * K + k] : 0.f;
      Bp += NR;
    }
  }
}

/* c[0..n) = the first n lanes of v (n <= 4), without a stack buffer. */
static inline __attribute__((always_inline)) void store_first(float *c, v128_t v, int32_t n) {
  if (n >= 4) {
    wasm_v128_store(c, v);
    return;
  }
  if (n > 0) c[0] = wasm_f32x4_extract_lane(v, 0);
  if (n > 1) c[1] = wasm_f32x4_extract_lane(v, 1);
  if (n > 2) c[2] = wasm_f32x4_extract_lane(v, 2);
}

/* mr (1..4) rows x 8 columns of C over the whole K; ncols (1..8) of them are stored. */
static inline __attribute__((always_inline)) void tile(int mr, int32_t K, const float *a, int32_t lda,
                                                       const float *bp, float *c, int32_t ldc,
                                                       int32_t ncols) {
  v128_t acc[4][2];
  const float *ar[4];
  for (int r = 0; r < mr; r++) {
    ar[r] = a + r * lda;
    acc[r][0] = acc[r][1] = wasm_f32x4_splat(0.f);
  }
  for (int32_t k = 0; k < K; k++) {
    const v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
    bp += NR;
    for (int r = 0; r < mr; r++) {
      const v128_t x = wasm_v128_load32_splat(ar[r] + k);
      acc[r][0] = MADD(x, b0, acc[r][0]);
      acc[r][1] = MADD(x, b1, acc[r][1]);
    }
  }
  for (int r = 0; r < mr; r++) {
    float *cr = c + r * ldc;
    if (ncols == NR) {
      wasm_v128_store(cr, acc[r][0]);
      wasm_v128_store(cr + 4, acc[r][1]);
    } else {
      store_first(cr, acc[r][0], ncols);
      store_first(cr + 4, acc[r][1], ncols - 4);
    }
  }
}

/* C[M,N] = A[M,K] Bp, A row-major (a transposed A is transposed by the caller first: reading it
 * with a stride of M floats per k step runs at half speed and worse, one page per k at M = 1024).
 * Rows of A in blocks of ~128 KiB (L2), each against every B panel. */
void EXPORT(bw_gemm)(const float *A, const float *Bp, float *C, int32_t M, int32_t K, int32_t N) {
  int32_t mc = (32768 / (K > 0 ? K : 1)) / 4 * 4;
  if (mc < 4) mc = 4;
  for (int32_t i0 = 0; i0 < M; i0 += mc) {
    const int32_t i1 = i0 + mc < M ? i0 + mc : M;
    for (int32_t j0 = 0; j0 < N; j0 += NR) {
      const float *bp = Bp + j0 * K;
      const int32_t ncols = N - j0 < NR ? N - j0 : NR;
      int32_t i = i0;
      for (; i + 4 <= i1; i += 4) tile(4, K, A + i * K, K, bp, C + i * N + j0, N, ncols);
      switch (i1 - i) {
        case 3: tile(3, K, A + i * K, K, bp, C + i * N + j0, N, ncols); break;
        case 2: tile(2, K, A + i * K, K, bp, C + i * N + j0, N, ncols); break;
        case 1: tile(1, K, A + i * K, K, bp, C + i * N + j0, N, ncols); break;
        default: break;
      }
    }
  }
}
