#include "batched.h"

#include "pool.h"

typedef struct {
  bg_isa isa;
  const bg_batched *p;
  long s0, s1;   /* batch slices [s0, s1) */
  int mode;      /* 0: slices split over parts; 1: rows of slice s0; 2: columns of slice s0 */
  long step;     /* units (slices, rows or columns) per part */
  volatile int failed;
} job;

/* Slice s of the product with rows [r0, r1) and columns [c0, c1). */
static int run_block(const job *j, long s, long r0, long r1, long c0, long c1) {
  const bg_batched *p = j->p;
  const long m = p->m, k = p->k, n = p->n;
  const float *a = p->a + (p->batch_a == 1 ? 0 : s) * m * k;
  const float *b = p->b + (p->batch_b == 1 ? 0 : s) * k * n;
  bg_product x;
  x.m = r1 - r0;
  x.n = c1 - c0;
  x.k = k;
  x.rsa = p->ta ? 1 : k;
  x.csa = p->ta ? m : 1;
  x.rsb = p->tb ? 1 : n;
  x.csb = p->tb ? k : 1;
  x.ldc = n;
  x.a = a + r0 * x.rsa;
  x.b = b + c0 * x.csb;
  x.c = p->c + s * m * n + r0 * n + c0;
  return bg_gemm_serial(j->isa, &x);
}

static void task(void *ctx, int part) {
  job *j = ctx;
  const bg_batched *p = j->p;
  int rc = 0;
  if (j->mode == 0) {
    const long from = j->s0 + part * j->step;
    const long to = from + j->step < j->s1 ? from + j->step : j->s1;
    for (long s = from; s < to && rc == 0; s++) rc = run_block(j, s, 0, p->m, 0, p->n);
  } else {
    const long units = j->mode == 1 ? p->m : p->n;
    const long from = part * j->step;
    const long to = from + j->step < units ? from + j->step : units;
    if (from < to) {
      rc = j->mode == 1 ? run_block(j, j->s0, from, to, 0, p->n) : run_block(j, j->s0, 0, p->m, from, to);
    }
  }
  if (rc) j->failed = 1;
}

static long ceil_div(long a, long b) { return (a + b - 1) / b; }

int bg_gemm_batched(bg_isa isa, int threads, double min_parallel_macs, const bg_batched *in) {
  bg_batched p = *in;
  /* a shared B and a plain A: the batch folds into rows, one [batchA * M, K] x [K, N] product */
  if (p.batch_b == 1 && p.batch_a > 1 && !p.ta) {
    p.m *= p.batch_a;
    p.batch_a = 1;
  }
  const long batch = p.batch_a > p.batch_b ? p.batch_a : p.batch_b;
  const double macs = (double)batch * p.m * p.k * p.n;
  if (macs < min_parallel_macs || threads < 1) threads = 1;
  job j = {isa, &p, 0, batch, 0, 0, 0};
  if (threads == 1) {
    j.step = batch;
    task(&j, 0);
    return j.failed ? -1 : 0;
  }
  if (batch >= threads && (batch % threads == 0 || batch >= 4 * threads)) {
    j.step = ceil_div(batch, threads);
    bg_pool_run((int)ceil_div(batch, j.step), task, &j);
    return j.failed ? -1 : 0;
  }
  /* few slices: each split by rows (or columns where N is the longer side) */
  const int mr = bg_mr(isa), nr = bg_nr(isa);
  const int by_rows = p.m >= p.n;
  const long units = by_rows ? p.m : p.n;
  const long align = by_rows ? mr : nr;
  j.mode = by_rows ? 1 : 2;
  j.step = ceil_div(ceil_div(units, threads), align) * align;
  const int parts = (int)ceil_div(units, j.step);
  for (long s = 0; s < batch && !j.failed; s++) {
    j.s0 = s;
    if (parts == 1) {
      task(&j, 0);
    } else {
      bg_pool_run(parts, task, &j);
    }
  }
  return j.failed ? -1 : 0;
}
