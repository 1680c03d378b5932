/*
 * N-API (node_api.h only: ABI-stable across Node and Electron) binding of the native GEMM.
 *
 *   gemm(heap: Float32Array, a, b, out, batchA, batchB, m, k, n, transposeA, transposeB)
 *     offsets in floats from heap's start; runs in place on heap's memory and returns nothing.
 *     Bad offsets or sizes throw an Error named NativeGemmError (code BIOMED_NATIVE_GEMM_*).
 *   im2col(heap, x, cols, ...geometry) / col2im(heap, dcols, dx, ...geometry): NHWC convolution
 *     lowering (im2col.h), geometry = batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW,
 *     padTop, padLeft; offsets in floats, bounds checked the same way.
 *   attention(heap, scores, bias, mult, dp, out, B, H, T, S, ...biasStrides[4], ...multStrides[4]):
 *     attention.h's softmax(scores + bias) * mult into out (dp = -1), or its gradient (dp >= 0);
 *     mult = -1 for none; out may be scores itself (in place); split over the threads from
 *     minParallelElems elements. Bounds checked as gemm's.
 *   dense(heap, x, w, bias, y, rows, in, out) / denseGrad(heap, dy, x, w, dx, dw, db, rows, in, out):
 *     a dense layer's forward (y = x W^T + bias) and backward pass (dx, dW, db) in one call each
 *     (dense.h); bias / db = -1 for none; bounds and overlaps checked as gemm's.
 *   lsce / lsceGrad(heap, ...): the label-smoothed cross-entropy's rows (lsce.h), see lsce_call.
 *   configure({ threads?, isa?, minParallelMacs? }) -> info();  info() -> { isa, threads, ... }
 */
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attention.h"
#include "batched.h"
#include "dense.h"
#include "gemm.h"
#include "im2col.h"
#include "lsce.h"
#include "rowops.h"

static pthread_mutex_t call_mu = PTHREAD_MUTEX_INITIALIZER;
static int isa_chosen = -1; /* -1: the best this CPU runs */
static int threads = 1;
/* Below this many multiply-adds a product stays on the calling thread. With workers that sleep at
 * once, waking one cost ~25 us and 2 threads paid only from ~16M MACs; since the pool's workers poll
 * ~50 us before sleeping (pool.c), `npx tsx bench/native-gemm.ts --sweep` splits 64x64x64 (0.26M
 * MACs) in 2.4 us against 4.0 on one thread, and idle in the train step a 1M threshold was no slower
 * than 16M (cpu-s 2 threads 105 vs 107 ms, cpu-m 274 vs 278 ms). */
static double min_parallel_macs = 1 << 20;
/* The element kernels (rowops.c) split over threads from this many elements (see rowops.h). */
static double min_parallel_elems = 1 << 16;

static bg_isa current_isa(void) { return isa_chosen < 0 ? bg_best_isa() : (bg_isa)isa_chosen; }

static napi_value fail(napi_env env, const char *code, const char *msg) {
  napi_value c, m, err, name;
  char full[64];
  snprintf(full, sizeof full, "BIOMED_NATIVE_GEMM_%s", code);
  napi_create_string_utf8(env, full, NAPI_AUTO_LENGTH, &c);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_error(env, c, m, &err);
  napi_create_string_utf8(env, "NativeGemmError", NAPI_AUTO_LENGTH, &name);
  napi_set_named_property(env, err, "name", name);
  napi_throw(env, err);
  return NULL;
}

/* A whole number in [lo, hi] from args[i], else -1 with `what` named in the thrown error. */
static int whole(napi_env env, napi_value v, const char *what, double lo, double hi, double *out) {
  double d;
  char msg[160];
  if (napi_get_value_double(env, v, &d) != napi_ok || d != d || d < lo || d > hi || d != (double)(long long)d) {
    snprintf(msg, sizeof msg, "native GEMM: %s must be a whole number from %.0f to %.0f", what, lo, hi);
    fail(env, "BAD_ARGUMENT", msg);
    return -1;
  }
  *out = d;
  return 0;
}

/* The heap Float32Array of args[0] (length in floats), or NULL with a NativeGemmError thrown. */
static float *heap_of(napi_env env, napi_value v, size_t *length) {
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  napi_typedarray_type type = napi_int8_array;
  void *data = NULL;
  if (is_ta) napi_get_typedarray_info(env, v, &type, length, &data, NULL, NULL);
  if (!is_ta || type != napi_float32_array) {
    fail(env, "BAD_ARGUMENT", "native GEMM: heap must be a Float32Array");
    return NULL;
  }
  return data;
}

/*
 * Reads exactly `want` arguments into args: args[0] the heap (returned, its length in floats in
 * *length), args[1..nums] whole numbers into v (v[i] within [lo[i], hi[i]], named names[i]).
 * NULL with a NativeGemmError thrown on any mismatch.
 */
static float *read_args(napi_env env, napi_callback_info info, size_t want, napi_value *args, int nums,
                        const char *const *names, const double *lo, const double *hi, double *v, size_t *length) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc != want) {
    char msg[80];
    snprintf(msg, sizeof msg, "native GEMM: this function takes %zu arguments", want);
    fail(env, "BAD_ARGUMENT", msg);
    return NULL;
  }
  float *heap = heap_of(env, args[0], length);
  for (int i = 0; heap && i < nums; i++) {
    if (whole(env, args[i + 1], names[i], lo[i], hi[i], &v[i])) return NULL;
  }
  return heap;
}

/* 0 when floats [off, off + need) lie in the heap, else -1 with OUT_OF_BOUNDS thrown. */
static int in_heap(napi_env env, const char *name, double off, double need, size_t length) {
  if (off + need <= (double)length) return 0;
  char msg[200];
  snprintf(msg, sizeof msg, "native GEMM: %s [%.0f, %.0f) lies outside the heap of %zu floats", name, off, off + need,
           length);
  fail(env, "OUT_OF_BOUNDS", msg);
  return -1;
}

static napi_value gemm(napi_env env, napi_callback_info info) {
  napi_value args[11];
  const char *names[] = {"a", "b", "out", "batchA", "batchB", "m", "k", "n"};
  /* offsets and k >= 0, batches, m, n >= 1 */
  const double lo[] = {0, 0, 0, 1, 1, 1, 0, 1};
  const double big = 9007199254740991.0, dim = 2147483647.0;
  const double hi[] = {big, big, big, dim, dim, dim, dim, dim};
  double v[8];
  size_t length = 0;
  float *data = read_args(env, info, 11, args, 8, names, lo, hi, v, &length);
  if (!data) return NULL;
  bool ta = false, tb = false;
  if (napi_get_value_bool(env, args[9], &ta) != napi_ok || napi_get_value_bool(env, args[10], &tb) != napi_ok)
    return fail(env, "BAD_ARGUMENT", "native GEMM: transposeA and transposeB must be booleans");
  const double batch_a = v[3], batch_b = v[4], m = v[5], k = v[6], n = v[7];
  if (batch_a != batch_b && batch_a != 1 && batch_b != 1)
    return fail(env, "BAD_SHAPE", "native GEMM: batchA and batchB differ and neither is 1");
  const double batch = batch_a > batch_b ? batch_a : batch_b;
  /* sizes as doubles: exact below 2^53, and any larger one is out of the heap anyway */
  const double need[3] = {batch_a * m * k, batch_b * k * n, batch * m * n};
  for (int i = 0; i < 3; i++) {
    if (in_heap(env, names[i], v[i], need[i], length)) return NULL;
  }
  char msg[200];
  for (int i = 0; i < 2; i++) {
    if (need[i] > 0 && v[2] < v[i] + need[i] && v[i] < v[2] + need[2]) {
      snprintf(msg, sizeof msg, "native GEMM: out overlaps %s", names[i]);
      return fail(env, "OVERLAP", msg);
    }
  }
  const float *heap = data;
  bg_batched p = {heap + (size_t)v[0], heap + (size_t)v[1], (float *)heap + (size_t)v[2], (long)batch_a,
                  (long)batch_b, (long)m, (long)k, (long)n, ta, tb};
  pthread_mutex_lock(&call_mu);
  const int rc = bg_gemm_batched(current_isa(), threads, min_parallel_macs, &p);
  pthread_mutex_unlock(&call_mu);
  if (rc) return fail(env, "OUT_OF_MEMORY", "native GEMM: cannot allocate its packing buffers");
  return NULL;
}

/* im2col (forward = 1) or col2im (0): args heap, src, dst, 12 geometry numbers. */
static napi_value lower(napi_env env, napi_callback_info info, int forward) {
  napi_value args[15];
  const char *names[] = {"src", "dst", "batch", "inH", "inW", "inC", "outH",
                         "outW", "kH", "kW", "strideH", "strideW", "padTop", "padLeft"};
  const double big = 9007199254740991.0;
  /* offsets and pads >= 0, sizes and strides >= 1 */
  const double lo[] = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
  const double hi[] = {big, big, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535};
  double v[14];
  size_t length = 0;
  float *heap = read_args(env, info, 15, args, 14, names, lo, hi, v, &length);
  if (!heap) return NULL;
  const bg_conv g = {(long)v[2], (long)v[3], (long)v[4], (long)v[5],  (long)v[6],  (long)v[7],
                     (long)v[8], (long)v[9], (long)v[10], (long)v[11], (long)v[12], (long)v[13]};
  const double image = v[2] * v[3] * v[4] * v[5];
  const double cols = v[2] * v[6] * v[7] * v[8] * v[9] * v[5];
  const double need[2] = {forward ? image : cols, forward ? cols : image};
  for (int i = 0; i < 2; i++) {
    if (in_heap(env, names[i], v[i], need[i], length)) return NULL;
  }
  if (v[1] < v[0] + need[0] && v[0] < v[1] + need[1]) return fail(env, "OVERLAP", "native GEMM: dst overlaps src");
  pthread_mutex_lock(&call_mu);
  if (forward) {
    bg_im2col(&g, heap + (size_t)v[0], heap + (size_t)v[1], threads, min_parallel_elems);
  } else {
    bg_col2im(&g, heap + (size_t)v[0], heap + (size_t)v[1], threads, min_parallel_elems);
  }
  pthread_mutex_unlock(&call_mu);
  return NULL;
}

static napi_value im2col(napi_env env, napi_callback_info info) { return lower(env, info, 1); }
static napi_value col2im(napi_env env, napi_callback_info info) { return lower(env, info, 0); }

/*
 * adamw(heap, table: Float64Array, b1, c1, b2, c2, eps, step, scale): table holds 9 numbers per
 * weight: float offsets p, g, m, v, op, om, ov (m, v: -1 when absent), n, decay.
 */
static napi_value adamw(napi_env env, napi_callback_info info) {
  napi_value args[9];
  size_t argc = 9, length = 0;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc != 9) return fail(env, "BAD_ARGUMENT", "native GEMM: adamw takes 9 arguments");
  float *heap = heap_of(env, args[0], &length);
  if (!heap) return NULL;
  bool is_ta = false;
  napi_typedarray_type type = napi_int8_array;
  size_t cells = 0;
  void *raw = NULL;
  napi_is_typedarray(env, args[1], &is_ta);
  if (is_ta) napi_get_typedarray_info(env, args[1], &type, &cells, &raw, NULL, NULL);
  if (!is_ta || type != napi_float64_array || cells % 9 != 0)
    return fail(env, "BAD_ARGUMENT", "native GEMM: the adamw table must be a Float64Array of 9 numbers per weight");
  double sc[7];
  for (int i = 0; i < 7; i++) {
    if (napi_get_value_double(env, args[i + 2], &sc[i]) != napi_ok)
      return fail(env, "BAD_ARGUMENT", "native GEMM: adamw's scalars must be numbers");
  }
  const double *t = raw;
  const long count = (long)(cells / 9);
  bg_adamw_item *items = count ? malloc(sizeof *items * (size_t)count) : NULL;
  if (count && !items) return fail(env, "OUT_OF_MEMORY", "native GEMM: cannot allocate the adamw table");
  const char *names[] = {"p", "g", "m", "v", "op", "om", "ov"};
  for (long k = 0; k < count; k++) {
    const double *row = t + 9 * k;
    const double n = row[7];
    if (n < 0 || n != (double)(long long)n || n > 9007199254740991.0) {
      free(items);
      return fail(env, "BAD_ARGUMENT", "native GEMM: adamw's n must be a whole number >= 0");
    }
    float *ptr[7];
    for (int i = 0; i < 7; i++) {
      const double off = row[i];
      ptr[i] = NULL;
      if ((i == 2 || i == 3) && off == -1) continue;
      char msg[120];
      const int whole_offset = off >= 0 && off == (double)(long long)off;
      if (!whole_offset) snprintf(msg, sizeof msg, "native GEMM: adamw's %s must be a whole number >= 0", names[i]);
      if (!whole_offset || in_heap(env, names[i], off, n, length)) {
        free(items);
        return whole_offset ? NULL : fail(env, "BAD_ARGUMENT", msg);
      }
      ptr[i] = heap + (size_t)off;
    }
    items[k] = (bg_adamw_item){ptr[0], ptr[1], ptr[2], ptr[3], ptr[4], ptr[5], ptr[6], (long)n, row[8]};
  }
  const bg_adamw_scalars s = {sc[0], sc[1], sc[2], sc[3], sc[4], sc[5], sc[6]};
  pthread_mutex_lock(&call_mu);
  bg_adamw(items, count, &s, threads, min_parallel_elems);
  pthread_mutex_unlock(&call_mu);
  free(items);
  return NULL;
}

/* 1 + the largest offset the strides reach over dims (floats one operand spans). */
static double extent(const double *dims, const double *strides) {
  double e = 1;
  for (int i = 0; i < 4; i++) e += (dims[i] - 1) * strides[i];
  return e;
}

static napi_value attention(napi_env env, napi_callback_info info) {
  napi_value args[18];
  const char *names[] = {"scores",      "bias",        "mult",        "dp",          "out",         "B",
                         "H",           "T",           "S",           "biasStride0", "biasStride1", "biasStride2",
                         "biasStride3", "multStride0", "multStride1", "multStride2", "multStride3"};
  const double big = 9007199254740991.0, dim = 2147483647.0;
  const double lo[] = {0, 0, -1, -1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
  const double hi[] = {big, big, big, big, big, dim, dim, dim, dim, big, big, big, big, big, big, big, big};
  double v[17];
  size_t length = 0;
  float *heap = read_args(env, info, 18, args, 17, names, lo, hi, v, &length);
  if (!heap) return NULL;
  const double *dims = v + 5, total = v[5] * v[6] * v[7] * v[8];
  const double need[5] = {total, extent(dims, v + 9), extent(dims, v + 13), total, total};
  for (int i = 0; i < 5; i++) {
    if (v[i] >= 0 && in_heap(env, names[i], v[i], need[i], length)) return NULL;
  }
  char msg[200];
  for (int i = 0; i < 4; i++) {
    const int same_scores = i == 0 && v[0] == v[4]; /* in place is allowed */
    if (v[i] >= 0 && !same_scores && v[4] < v[i] + need[i] && v[i] < v[4] + total) {
      snprintf(msg, sizeof msg, "native attention: out overlaps %s", names[i]);
      return fail(env, "OVERLAP", msg);
    }
  }
  bg_attention p = {heap + (size_t)v[0], heap + (size_t)v[1], v[2] >= 0 ? heap + (size_t)v[2] : NULL,
                    v[3] >= 0 ? heap + (size_t)v[3] : NULL, heap + (size_t)v[4], (long)v[5], (long)v[6],
                    (long)v[7], (long)v[8], {0}, {0}};
  for (int i = 0; i < 4; i++) {
    p.bias_strides[i] = (long)v[9 + i];
    p.mult_strides[i] = (long)v[13 + i];
  }
  pthread_mutex_lock(&call_mu);
  bg_attention_run(&p, p.dp != NULL, threads, min_parallel_elems, current_isa());
  pthread_mutex_unlock(&call_mu);
  return NULL;
}

/* gelu(heap, x, y, n) or geluGrad(heap, dy, x, dx, n) (grad = 1): float offsets (rowops.h). */
static napi_value gelu_call(napi_env env, napi_callback_info info, int grad) {
  napi_value args[5];
  const char *names[] = {grad ? "dy" : "x", grad ? "x" : "y", grad ? "dx" : "n", "n"};
  const double big = 9007199254740991.0;
  const double lo[] = {0, 0, 0, 0}, hi[] = {big, big, big, big};
  double v[4];
  size_t length = 0;
  const int ptrs = grad ? 3 : 2;
  float *heap = read_args(env, info, (size_t)ptrs + 2, args, ptrs + 1, names, lo, hi, v, &length);
  if (!heap) return NULL;
  const double n = v[ptrs];
  for (int i = 0; i < ptrs; i++) {
    if (in_heap(env, names[i], v[i], n, length)) return NULL;
  }
  const float *in0 = heap + (size_t)v[0], *in1 = heap + (size_t)v[1];
  pthread_mutex_lock(&call_mu);
  const int rc = grad ? bg_gelu(in1, in0, heap + (size_t)v[2], (long)n, threads, min_parallel_elems)
                      : bg_gelu(in0, NULL, heap + (size_t)v[1], (long)n, threads, min_parallel_elems);
  pthread_mutex_unlock(&call_mu);
  if (rc) return fail(env, "UNSUPPORTED_ISA", "native GEMM: GELU needs a CPU with AVX2 and FMA");
  return NULL;
}

static napi_value gelu(napi_env env, napi_callback_info info) { return gelu_call(env, info, 0); }
static napi_value gelu_grad(napi_env env, napi_callback_info info) { return gelu_call(env, info, 1); }

/*
 * dense(heap, x, w, bias, y, rows, in, out) or denseGrad(heap, dy, x, w, dx, dw, db, rows, in, out)
 * (grad = 1): dense.h's forward and backward pass, float offsets; bias / db = -1 for none. Every
 * operand lies in the heap, and no output overlaps an input or another output.
 */
static napi_value dense_call(napi_env env, napi_callback_info info, int grad) {
  napi_value args[10];
  const char *fwd_names[] = {"x", "w", "bias", "y", "rows", "in", "out"};
  const char *grad_names[] = {"dy", "x", "w", "dx", "dw", "db", "rows", "in", "out"};
  const char *const *names = grad ? grad_names : fwd_names;
  const int ptrs = grad ? 6 : 4, inputs = 3, optional = grad ? 5 : 2;
  const double big = 9007199254740991.0, dim = 2147483647.0;
  double lo[9], hi[9], v[9];
  for (int i = 0; i < ptrs + 3; i++) {
    lo[i] = i == optional ? -1 : 0;
    hi[i] = i < ptrs ? big : dim;
  }
  size_t length = 0;
  float *heap = read_args(env, info, (size_t)ptrs + 4, args, ptrs + 3, names, lo, hi, v, &length);
  if (!heap) return NULL;
  const double rows = v[ptrs], in = v[ptrs + 1], out = v[ptrs + 2];
  const double fwd_need[] = {rows * in, out * in, out, rows * out};
  const double grad_need[] = {rows * out, rows * in, out * in, rows * in, out * in, out};
  const double *need = grad ? grad_need : fwd_need;
  for (int i = 0; i < ptrs; i++) {
    if (v[i] >= 0 && in_heap(env, names[i], v[i], need[i], length)) return NULL;
  }
  char msg[200];
  for (int o = inputs; o < ptrs; o++) {
    for (int i = 0; i < ptrs; i++) {
      if (i == o || v[o] < 0 || v[i] < 0 || need[o] <= 0 || need[i] <= 0) continue;
      if (v[o] < v[i] + need[i] && v[i] < v[o] + need[o]) {
        snprintf(msg, sizeof msg, "native dense: %s overlaps %s", names[o], names[i]);
        return fail(env, "OVERLAP", msg);
      }
    }
  }
  float *at[6];
  for (int i = 0; i < ptrs; i++) at[i] = v[i] >= 0 ? heap + (size_t)v[i] : NULL;
  int rc;
  pthread_mutex_lock(&call_mu);
  if (grad) {
    const bg_dense_grad p = {at[0], at[1], at[2], at[3], at[4], at[5], (long)rows, (long)in, (long)out};
    rc = bg_dense_grad_run(current_isa(), threads, min_parallel_macs, &p);
  } else {
    const bg_dense p = {at[0], at[1], at[2], at[3], (long)rows, (long)in, (long)out};
    rc = bg_dense_run(current_isa(), threads, min_parallel_macs, &p);
  }
  pthread_mutex_unlock(&call_mu);
  if (rc) return fail(env, "OUT_OF_MEMORY", "native GEMM: cannot allocate its packing buffers");
  return NULL;
}

static napi_value dense(napi_env env, napi_callback_info info) { return dense_call(env, info, 0); }
static napi_value dense_grad(napi_env env, napi_callback_info info) { return dense_call(env, info, 1); }
/*
 * lsce(heap, z, targets, allowed, p, stats, rows, v, pad) and
 * lsceGrad(heap, dy, p, targets, allowed, dz, rows, v, pad, eps): lsce.h's forward and backward,
 * float offsets (targets int32, stats 4 doubles per row at an even offset), allowed = -1 for none.
 */
static napi_value lsce_call(napi_env env, napi_callback_info info, int backward) {
  napi_value args[10];
  const char *fwd[] = {"z", "targets", "allowed", "p", "stats", "rows", "v", "pad"};
  const char *bwd[] = {"dy", "p", "targets", "allowed", "dz", "rows", "v", "pad"};
  const char *const *names = backward ? bwd : fwd;
  const double big = 9007199254740991.0, dim = 2147483647.0;
  const double lo[] = {0, 0, backward ? 0 : -1, backward ? -1 : 0, 0, 1, 1, -dim - 1};
  const double hi[] = {big, big, big, big, big, dim, dim, dim};
  double v[8];
  size_t length = 0;
  float *heap = read_args(env, info, backward ? 10 : 9, args, 8, names, lo, hi, v, &length);
  if (!heap) return NULL;
  const double rows = v[5], cells = v[5] * v[6];
  /* floats each operand spans: [rows, v] tensors, rows targets (or dy), 4 doubles a row of stats */
  const double fwd_need[] = {cells, rows, cells, cells, 8 * rows};
  const double bwd_need[] = {rows, cells, rows, cells, cells};
  const double *need = backward ? bwd_need : fwd_need;
  const int out = backward ? 4 : 3;
  for (int i = 0; i < 5; i++) {
    if (v[i] >= 0 && in_heap(env, names[i], v[i], need[i], length)) return NULL;
  }
  char msg[200];
  for (int i = 0; i < 5; i++) {
    if (i != out && v[i] >= 0 && v[out] < v[i] + need[i] && v[i] < v[out] + need[out]) {
      snprintf(msg, sizeof msg, "native lsce: %s overlaps %s", names[out], names[i]);
      return fail(env, "OVERLAP", msg);
    }
  }
  double eps = 0;
  if (backward && (napi_get_value_double(env, args[9], &eps) != napi_ok || !(eps >= 0 && eps < 1)))
    return fail(env, "BAD_ARGUMENT", "native lsce: eps must be a number from 0 to 1 (excluded)");
  if (!backward && ((long long)v[4] % 2 != 0 || ((uintptr_t)heap & 7) != 0))
    return fail(env, "BAD_ARGUMENT", "native lsce: stats must be 8-byte aligned (an even float offset)");
  const float *at = heap;
  bg_lsce q = {0};
  q.rows = (long)rows;
  q.v = (long)v[6];
  q.pad = (int32_t)v[7];
  q.eps = eps;
  if (backward) {
    q.dy = at + (size_t)v[0];
    q.p = at + (size_t)v[1];
    q.targets = (const int32_t *)(at + (size_t)v[2]);
    q.allowed = v[3] >= 0 ? at + (size_t)v[3] : NULL;
    q.out = heap + (size_t)v[4];
  } else {
    q.z = at + (size_t)v[0];
    q.targets = (const int32_t *)(at + (size_t)v[1]);
    q.allowed = v[2] >= 0 ? at + (size_t)v[2] : NULL;
    q.out = heap + (size_t)v[3];
    q.stats = (double *)(void *)(heap + (size_t)v[4]);
  }
  pthread_mutex_lock(&call_mu);
  const int rc = bg_lsce_run(&q, backward, threads, min_parallel_elems);
  pthread_mutex_unlock(&call_mu);
  if (rc) return fail(env, "UNSUPPORTED_ISA", "native GEMM: the cross-entropy needs a CPU with AVX2 and FMA");
  return NULL;
}

static napi_value lsce(napi_env env, napi_callback_info info) { return lsce_call(env, info, 0); }
static napi_value lsce_grad(napi_env env, napi_callback_info info) { return lsce_call(env, info, 1); }

static void set_number(napi_env env, napi_value obj, const char *key, double x) {
  napi_value v;
  napi_create_double(env, x, &v);
  napi_set_named_property(env, obj, key, v);
}

static void set_string(napi_env env, napi_value obj, const char *key, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, key, v);
}

static napi_value describe(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj, list;
  napi_create_object(env, &obj);
  const bg_isa isa = current_isa();
  set_string(env, obj, "isa", bg_isa_name(isa));
  set_number(env, obj, "threads", threads);
  set_number(env, obj, "mr", bg_mr(isa));
  set_number(env, obj, "nr", bg_nr(isa));
  set_number(env, obj, "minParallelMacs", min_parallel_macs);
  set_number(env, obj, "minParallelElems", min_parallel_elems);
  napi_create_array(env, &list);
  uint32_t at = 0;
  for (int i = BG_AVX512; i >= BG_SCALAR; i--) {
    if (!bg_isa_supported((bg_isa)i)) continue;
    napi_value s;
    napi_create_string_utf8(env, bg_isa_name((bg_isa)i), NAPI_AUTO_LENGTH, &s);
    napi_set_element(env, list, at++, s);
  }
  napi_set_named_property(env, obj, "supported", list);
  return obj;
}

static napi_value configure(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg, v;
  napi_get_cb_info(env, info, &argc, &arg, NULL, NULL);
  napi_valuetype t = napi_undefined;
  if (argc == 1) napi_typeof(env, arg, &t);
  if (t != napi_object) return fail(env, "BAD_ARGUMENT", "native GEMM: configure() takes an object");
  bool has = false;
  double d;
  napi_has_named_property(env, arg, "threads", &has);
  if (has) {
    napi_get_named_property(env, arg, "threads", &v);
    if (whole(env, v, "threads", 1, 64, &d)) return NULL;
    threads = (int)d;
  }
  napi_has_named_property(env, arg, "minParallelMacs", &has);
  if (has) {
    napi_get_named_property(env, arg, "minParallelMacs", &v);
    if (whole(env, v, "minParallelMacs", 0, 9007199254740991.0, &d)) return NULL;
    min_parallel_macs = d;
  }
  napi_has_named_property(env, arg, "minParallelElems", &has);
  if (has) {
    napi_get_named_property(env, arg, "minParallelElems", &v);
    if (whole(env, v, "minParallelElems", 0, 9007199254740991.0, &d)) return NULL;
    min_parallel_elems = d;
  }
  napi_has_named_property(env, arg, "isa", &has);
  if (has) {
    char name[16] = "";
    size_t len = 0;
    napi_get_named_property(env, arg, "isa", &v);
    napi_valuetype vt;
    napi_typeof(env, v, &vt);
    if (vt == napi_undefined || vt == napi_null) {
      isa_chosen = -1;
    } else {
      if (napi_get_value_string_utf8(env, v, name, sizeof name, &len) != napi_ok)
        return fail(env, "BAD_ARGUMENT", "native GEMM: isa must be avx512, avx2 or scalar");
      int found = -1;
      for (int i = BG_SCALAR; i <= BG_AVX512; i++) {
        if (strcmp(name, bg_isa_name((bg_isa)i)) == 0) found = i;
      }
      if (found < 0) return fail(env, "BAD_ARGUMENT", "native GEMM: isa must be avx512, avx2 or scalar");
      if (!bg_isa_supported((bg_isa)found)) {
        char msg[120];
        snprintf(msg, sizeof msg, "native GEMM: this CPU does not run the %s kernel", name);
        return fail(env, "UNSUPPORTED_ISA", msg);
      }
      isa_chosen = found;
    }
  }
  return describe(env, info);
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_default, NULL},
      {"im2col", NULL, im2col, NULL, NULL, NULL, napi_default, NULL},
      {"col2im", NULL, col2im, NULL, NULL, NULL, napi_default, NULL},
      {"attention", NULL, attention, NULL, NULL, NULL, napi_default, NULL},
      {"adamw", NULL, adamw, NULL, NULL, NULL, napi_default, NULL},
      {"gelu", NULL, gelu, NULL, NULL, NULL, napi_default, NULL},
      {"geluGrad", NULL, gelu_grad, NULL, NULL, NULL, napi_default, NULL},
      {"dense", NULL, dense, NULL, NULL, NULL, napi_default, NULL},
      {"denseGrad", NULL, dense_grad, NULL, NULL, NULL, napi_default, NULL},
      {"lsce", NULL, lsce, NULL, NULL, NULL, napi_default, NULL},
      {"lsceGrad", NULL, lsce_grad, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, describe, NULL, NULL, NULL, napi_default, NULL},
      {"configure", NULL, configure, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
