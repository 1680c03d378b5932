#include "dense.h"

#include <string.h>

#include "pool.h"

/* Products under this many times min_parallel_macs each (16M multiply-adds by default: cpu-xs and
   cpu-s' attention projections, not cpu-s or cpu-m's FFN) are run whole, one per thread. */
#define WHOLE_PRODUCTS 16
#define MAX_BLOCKS 130 /* 2 products x 64 threads, and a spare */

/* A block of one product's C with what follows it: the bias added, or the column sums of dy. */
typedef struct {
  bg_product x;
  const float *bias; /* [x.n]: added to every row of the block after the product, or NULL */
  const float *dy;   /* [rows, out]: db = its column sums, or NULL */
  float *db;
  long db_rows, db_cols;
} block;

typedef struct {
  bg_isa isa;
  int count;
  block blocks[MAX_BLOCKS];
  volatile int failed;
} job;

/* db[j] = sum over r in order of dy[r * cols + j], from 0, in float32 (bw_sum_rows' additions). */
static void column_sums(const float *dy, long rows, long cols, float *db) {
  for (long j = 0; j < cols; j++) db[j] = 0.0f;
  for (long r = 0; r < rows; r++) {
    const float *row = dy + r * cols;
    for (long j = 0; j < cols; j++) db[j] += row[j];
  }
}

static void run_block(void *ctx, int part) {
  job *j = ctx;
  const block *b = &j->blocks[part];
  if (bg_gemm_serial(j->isa, &b->x)) {
    j->failed = 1;
    return;
  }
  if (b->bias) {
    for (long r = 0; r < b->x.m; r++) {
      float *row = b->x.c + r * b->x.ldc;
      for (long c = 0; c < b->x.n; c++) row[c] += b->bias[c];
    }
  }
  if (b->db) column_sums(b->dy, b->db_rows, b->db_cols, b->db);
}

static long ceil_div(long a, long b) { return (a + b - 1) / b; }

/* Appends `p` cut into at most `pieces` blocks of whole register tiles, by rows (or by columns where
 * N is the longer side), each with its part of `bias`; returns the index of the last one. */
static int split(job *j, const bg_product *p, const float *bias, long pieces) {
  const int by_rows = p->m >= p->n;
  const long units = by_rows ? p->m : p->n;
  const long align = by_rows ? bg_mr(j->isa) : bg_nr(j->isa);
  const long step = ceil_div(ceil_div(units, pieces), align) * align;
  for (long u = 0; u < units && j->count < MAX_BLOCKS; u += step) {
    const long to = u + step < units ? u + step : units;
    block *b = &j->blocks[j->count++];
    memset(b, 0, sizeof *b);
    b->x = *p;
    if (by_rows) {
      b->x.m = to - u;
      b->x.a = p->a + u * p->rsa;
      b->x.c = p->c + u * p->ldc;
    } else {
      b->x.n = to - u;
      b->x.b = p->b + u * p->csb;
      b->x.c = p->c + u;
    }
    b->bias = bias ? bias + (by_rows ? 0 : u) : NULL;
  }
  return j->count - 1;
}

/* The job's header only: split() fills each block it appends (the array is ~17 KB). */
static void start(job *j, bg_isa isa) {
  j->isa = isa;
  j->count = 0;
  j->failed = 0;
}

static int run(job *j, int parallel) {
  if (parallel && j->count > 1) {
    bg_pool_run(j->count, run_block, j);
  } else {
    for (int i = 0; i < j->count; i++) run_block(j, i);
  }
  return j->failed ? -1 : 0;
}

static int clamp_threads(int threads) { return threads < 1 ? 1 : threads > 64 ? 64 : threads; }

int bg_dense_run(bg_isa isa, int threads, double min_parallel_macs, const bg_dense *p) {
  if (p->rows <= 0 || p->out <= 0) return 0;
  threads = clamp_threads(threads);
  const int parallel = threads > 1 && (double)p->rows * p->in * p->out >= min_parallel_macs;
  /* x (i, k) = x[i * in + k]; W^T (k, j) = w[j * in + k] */
  const bg_product y = {p->x, p->w, p->y, p->rows, p->in, p->out, p->in, 1, 1, p->in, p->out};
  job j;
  start(&j, isa);
  split(&j, &y, p->bias, parallel ? threads : 1);
  return run(&j, parallel);
}

int bg_dense_grad_run(bg_isa isa, int threads, double min_parallel_macs, const bg_dense_grad *p) {
  const long rows = p->rows, in = p->in, out = p->out;
  if (out <= 0) return 0;
  threads = clamp_threads(threads);
  const double macs = (double)rows * in * out; /* per product */
  const int parallel = threads > 1 && 2 * macs >= min_parallel_macs;
  /* whole products (threads / 2 blocks each) below WHOLE_PRODUCTS x the split threshold, where a
     block's packing is a large share of its work; above, each product over every thread, so that
     the caller takes over more of a late worker's work (parts are claimed: pool.c) */
  const int whole = macs < WHOLE_PRODUCTS * min_parallel_macs;
  const long pieces = !parallel ? 1 : whole && threads % 2 == 0 ? threads / 2 : threads;
  job j;
  start(&j, isa);
  int last = -1;
  if (rows > 0 && in > 0) {
    /* dx [rows, in] = dy [rows, out] W [out, in] */
    const bg_product dx = {p->dy, p->w, p->dx, rows, out, in, out, 1, in, 1, in};
    last = split(&j, &dx, NULL, pieces);
  }
  if (in > 0) {
    /* dW [out, in] = dy^T (i, k) = dy[k * out + i], times x [rows, in] */
    const bg_product dw = {p->dy, p->x, p->dw, out, rows, in, 1, out, in, 1, in};
    const int at = split(&j, &dw, NULL, pieces);
    if (last < 0) last = at;
  }
  if (p->db) {
    if (last < 0) {
      column_sums(p->dy, rows, out, p->db);
    } else {
      block *b = &j.blocks[last];
      b->dy = p->dy;
      b->db = p->db;
      b->db_rows = rows;
      b->db_cols = out;
    }
  }
  return run(&j, parallel);
}
