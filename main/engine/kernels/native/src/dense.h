/* A dense layer's forward and backward pass as one call each, on the native pool (dense.c). */
#ifndef BIOMED_DENSE_H
#define BIOMED_DENSE_H
#include "gemm.h"

/* y [rows, out] = x [rows, in] W^T + bias, W [out, in]; bias [out] or NULL. */
typedef struct {
  const float *x, *w, *bias;
  float *y;
  long rows, in, out;
} bg_dense;

/* dx [rows, in] = dy W, dW [out, in] = dy^T x, db [out] = the column sums of dy (db NULL: none). */
typedef struct {
  const float *dy, *x, *w;
  float *dx, *dw, *db;
  long rows, in, out;
} bg_dense_grad;

/*
 * Every product element is bg_gemm_serial's FMA chain over k in order, whoever computes it; the bias
 * is added after the product in float32 (as tfjs' Add); db[j] = ((0 + dy[0, j]) + dy[1, j]) + ... in
 * float32, rows in order (as wasm-ops' bw_sum_rows, the engine's Sum over leading axes). So results
 * are the same bits at any thread count and equal the composed kernels' (BatchMatMul, Add, Sum).
 * Below min_parallel_macs multiply-adds (both products together for the gradient) all runs on the
 * calling thread; above, one pool job whose parts are blocks of the products: the forward split
 * into `threads` blocks; the gradient's two products (of equal size), each under 16 x
 * min_parallel_macs, into threads / 2 blocks each (threads when odd), so that two threads run dx
 * and dW whole, one each, packing nothing twice; larger ones each into `threads` blocks. db rides
 * with dx's last block. 0, or -1 when out of memory (packing buffers).
 */
int bg_dense_run(bg_isa isa, int threads, double min_parallel_macs, const bg_dense *p);
int bg_dense_grad_run(bg_isa isa, int threads, double min_parallel_macs, const bg_dense_grad *p);

#endif
