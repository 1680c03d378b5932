/* f32 GEMM microkernels and a register-resident peak loop for WebAssembly SIMD128.
 * Built twice by build.sh from this one file:
 *   gemm-simd.wasm     MADD = f32x4.mul + f32x4.add      (plain SIMD128, runs on any Node 20)
 *   gemm-relaxed.wasm  MADD = f32x4.relaxed_madd (FMA)   (needs --experimental-wasm-relaxed-simd)
 * The module owns its memory (exported as "memory"); wf_alloc is a bump allocator that grows it.
 *
 * Row-major C[M,N] = A[M,K] B[K,N]. B is first packed (wf_pack_b_NR) into column panels of NR
 * floats, K rows each, zero padded past N, so the microkernel reads B contiguously. A is read in
 * place (MR rows, one broadcast load per row and k: the "splat" scheme of XNNPACK's wasmsimd
 * kernels). Loop order: a block of rows of A (sized to stay in L2) x every B panel (in L1) x MR-row
 * tiles, MR x NR accumulators held in registers for the whole K loop. */
#include <stdint.h>
#include <wasm_simd128.h>

#ifdef WF_RELAXED
#if __clang_major__ < 16
/* clang 14 emits the relaxed-SIMD prototype's opcode for its __builtin_wasm_fma_f32x4 (0xfd 0xaf),
 * which Node 20's V8 rejects ("invalid simd opcode"); clang 16 emits the final 0xfd 0x105. */
#error "the relaxed build needs clang >= 16 (Debian 12: clang-16 lld-16)"
#endif
/* a * b + c with one rounding where the CPU has FMA (V8 on x64 with FMA3: vfmadd). */
#define MADD(a, b, c) ((v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(c)))
#else
#define MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul((a), (b)), (c))
#endif

#define EXPORT(name) __attribute__((export_name(#name))) name

extern unsigned char __heap_base;
static uintptr_t heap_top;

/* 64-byte aligned block of `bytes` in this module's memory (grown as needed); 0 when it cannot grow. */
void *EXPORT(wf_alloc)(uint32_t bytes) {
  if (!heap_top) heap_top = (uintptr_t)&__heap_base;
  uintptr_t p = (heap_top + 63) & ~(uintptr_t)63;
  uintptr_t end = p + bytes;
  uintptr_t pages = (end + 65535) / 65536;
  uintptr_t have = __builtin_wasm_memory_size(0);
  if (pages > have && __builtin_wasm_memory_grow(0, pages - have) == (uintptr_t)-1) return 0;
  heap_top = end;
  return (void *)p;
}

/* Frees everything wf_alloc handed out. */
void EXPORT(wf_reset)(void) { heap_top = (uintptr_t)&__heap_base; }

/* MADD(1 + 2^-12, 1 + 2^-12, -(1 + 2^-11)) = 2^-24 when fused, 0 when the product is rounded first. */
float EXPORT(wf_madd_probe)(void) {
  const v128_t x = wasm_f32x4_splat(1.0f + 0x1p-12f);
  return wasm_f32x4_extract_lane(MADD(x, x, wasm_f32x4_splat(-(1.0f + 0x1p-11f))), 0);
}

/* Peak: 12 independent chains c = a * c + b (2 flops per lane, 4 lanes), all in registers.
 * Zen 3 runs 2 FMA (or 2 mul + 2 add) per cycle on 128-bit vectors: 16 flops/cycle either way. */
float EXPORT(wf_peak)(int32_t iters) {
  const v128_t a = wasm_f32x4_splat(0.999999f), b = wasm_f32x4_splat(1e-7f);
  v128_t c0 = wasm_f32x4_splat(0.f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
  v128_t c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
  for (int32_t i = 0; i < iters; i++) {
    c0 = MADD(a, c0, b); c1 = MADD(a, c1, b); c2 = MADD(a, c2, b); c3 = MADD(a, c3, b);
    c4 = MADD(a, c4, b); c5 = MADD(a, c5, b); c6 = MADD(a, c6, b); c7 = MADD(a, c7, b);
    c8 = MADD(a, c8, b); c9 = MADD(a, c9, b); c10 = MADD(a, c10, b); c11 = MADD(a, c11, b);
  }
  v128_t s = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(c0, c1), wasm_f32x4_add(c2, c3)),
                            wasm_f32x4_add(wasm_f32x4_add(c4, c5), wasm_f32x4_add(c6, c7)));
  s = wasm_f32x4_add(s, wasm_f32x4_add(wasm_f32x4_add(c8, c9), wasm_f32x4_add(c10, c11)));
  return wasm_f32x4_extract_lane(s, 0);
}

/* Bp[p][k][0..NR) = B[k][p*NR + j], zero where p*NR + j >= N. Bp holds ceil(N/NR)*NR*K floats. */
#define DEFINE_PACK(NR)                                                            \
  void EXPORT(wf_pack_b_##NR)(const float *B, int32_t K, int32_t N, float *Bp) {   \
    for (int32_t j0 = 0; j0 < N; j0 += NR) {                                      \
      const int32_t nr = N - j0 < NR ? N - j0 : NR;                               \
      for (int32_t k = 0; k < K; k++) {                                           \
        const float *src = B + (intptr_t)k * N + j0;                              \
        if (nr == NR) {                                                           \
          for (int32_t v = 0; v < NR / 4; v++)                                    \
            wasm_v128_store(Bp + 4 * v, wasm_v128_load(src + 4 * v));             \
        } else {                                                                  \
          for (int32_t j = 0; j < NR; j++) Bp[j] = j < nr ? src[j] : 0.f;         \
        }                                                                         \
        Bp += NR;                                                                 \
      }                                                                           \
    }                                                                             \
  }
DEFINE_PACK(8)
DEFINE_PACK(12)
DEFINE_PACK(16)

/* One MR x (NV*4) tile of C over the whole K: mr rows of A from `a` (stride lda), one packed panel. */
static inline __attribute__((always_inline)) void tile(int mr, int nv, int32_t K, const float *a,
                                                       int32_t lda, const float *bp, float *c,
                                                       int32_t ldc, int32_t ncols) {
  v128_t acc[6][4];
  const float *ar[6];
  for (int r = 0; r < mr; r++) {
    ar[r] = a + (intptr_t)r * lda;
    for (int v = 0; v < nv; v++) acc[r][v] = wasm_f32x4_splat(0.f);
  }
  for (int32_t k = 0; k < K; k++) {
    v128_t b[4];
    for (int v = 0; v < nv; v++) b[v] = wasm_v128_load(bp + 4 * v);
    bp += 4 * nv;
    for (int r = 0; r < mr; r++) {
      const v128_t x = wasm_v128_load32_splat(ar[r] + k);
      for (int v = 0; v < nv; v++) acc[r][v] = MADD(x, b[v], acc[r][v]);
    }
  }
  if (ncols == 4 * nv) {
    for (int r = 0; r < mr; r++)
      for (int v = 0; v < nv; v++) wasm_v128_store(c + (intptr_t)r * ldc + 4 * v, acc[r][v]);
  } else {
    float tmp[16];
    for (int r = 0; r < mr; r++) {
      for (int v = 0; v < nv; v++) wasm_v128_store(tmp + 4 * v, acc[r][v]);
      for (int j = 0; j < ncols; j++) c[(intptr_t)r * ldc + j] = tmp[j];
    }
  }
}

/* C = A Bp for the packed B of wf_pack_b_(NV*4); MR rows per tile (the last tile takes the rest). */
#define DEFINE_GEMM(MR, NV)                                                                      \
  void EXPORT(wf_gemm_##MR##x##NV)(const float *A, const float *Bp, float *C, int32_t M,         \
                                   int32_t K, int32_t N) {                                       \
    const int32_t nr = 4 * (NV);                                                                 \
    /* rows of A per block: MC * K floats in ~128 KiB (L2 is 512 KiB), a multiple of MR */      \
    int32_t mc = (int32_t)(32768 / (K > 0 ? K : 1)) / (MR) * (MR);                               \
    if (mc < (MR)) mc = (MR);                                                                    \
    for (int32_t i0 = 0; i0 < M; i0 += mc) {                                                     \
      const int32_t i1 = i0 + mc < M ? i0 + mc : M;                                              \
      for (int32_t j0 = 0; j0 < N; j0 += nr) {                                                   \
        const float *bp = Bp + (intptr_t)(j0 / nr) * nr * K;                                     \
        const int32_t ncols = N - j0 < nr ? N - j0 : nr;                                         \
        int32_t i = i0;                                                                          \
        for (; i + (MR) <= i1; i += (MR))                                                        \
          tile(MR, NV, K, A + (intptr_t)i * K, K, bp, C + (intptr_t)i * N + j0, N, ncols);       \
        switch (i1 - i) {                                                                        \
          case 5: tile(5, NV, K, A + (intptr_t)i * K, K, bp, C + (intptr_t)i * N + j0, N, ncols); break; \
          case 4: tile(4, NV, K, A + (intptr_t)i * K, K, bp, C + (intptr_t)i * N + j0, N, ncols); break; \
          case 3: tile(3, NV, K, A + (intptr_t)i * K, K, bp, C + (intptr_t)i * N + j0, N, ncols); break; \
          case 2: tile(2, NV, K, A + (intptr_t)i * K, K, bp, C + (intptr_t)i * N + j0, N, ncols); break; \
          case 1: tile(1, NV, K, A + (intptr_t)i * K, K, bp, C + (intptr_t)i * N + j0, N, ncols); break; \
          default: break;                                                                        \
        }                                                                                        \
      }                                                                                          \
    }                                                                                            \
  }
/* V8 (Node 20, x64) allocates 15 xmm registers and schedules all MR broadcasts of a k step before
 * their multiply-adds, so a tile needs MR*NV accumulators + NV B vectors + MR broadcasts (+1 temporary
 * for mul+add) registers; past 15 it spills accumulators to the stack in the inner loop. */
DEFINE_GEMM(6, 2) /* 6x8: 12 + 2 + 6 = 20: spills (the tile XNNPACK uses for ARM) */
DEFINE_GEMM(5, 2) /* 5x8: 10 + 2 + 5 = 17: spills */
DEFINE_GEMM(4, 2) /* 4x8: 8 + 2 + 4 = 14 */
DEFINE_GEMM(3, 3) /* 3x12: 9 + 3 + 3 = 15 */
DEFINE_GEMM(2, 4) /* 2x16: 8 + 4 + 2 = 14 */
DEFINE_GEMM(3, 4) /* 3x16: 12 + 4 + 3 = 19: spills */
