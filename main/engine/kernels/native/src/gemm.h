/* The native f32 GEMM: C[b] = op(A[b]) op(B[b]) (beta = 0), row-major, packed BLIS-style. */
#ifndef BIOMED_GEMM_H
#define BIOMED_GEMM_H
#include <stddef.h>

/* Element (i, p) of A is a[i * rsa + p * csa]; (p, j) of B is b[p * rsb + j * csb]; C is [m, ldc]. */
typedef struct {
  const float *a;
  const float *b;
  float *c;
  long m, k, n;
  long rsa, csa, rsb, csb, ldc;
} bg_product;

typedef enum { BG_SCALAR = 0, BG_AVX2 = 1, BG_AVX512 = 2 } bg_isa;

/* The best kernel this CPU runs. */
bg_isa bg_best_isa(void);
/* Whether this CPU runs `isa`'s kernel. */
int bg_isa_supported(bg_isa isa);
const char *bg_isa_name(bg_isa isa);
/* Register tile of `isa`'s microkernel. */
int bg_mr(bg_isa isa);
int bg_nr(bg_isa isa);

/* One product on the calling thread (its own packing buffers). 0, or -1 when out of memory. */
int bg_gemm_serial(bg_isa isa, const bg_product *p);

#endif
