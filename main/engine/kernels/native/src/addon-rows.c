/* N-API bindings of the element and row kernels and the dense layer (addon.c registers them):
 * adamw, attention, gelu / geluGrad, dense / denseGrad, lsce / lsceGrad. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addon-util.h"
#include "attention.h"
#include "dense.h"
#include "lsce.h"
#include "rowops.h"

/*
 * adamw(heap, table: Float64Array, b1, c1, b2, c2, eps, step, scale): table holds 9 numbers per
 * weight: float offsets p, g, m, v, op, om, ov (m, v: -1 when absent), n, decay.
 */
napi_value bg_napi_adamw(napi_env env, napi_callback_info info) {
  napi_value args[9];
  size_t argc = 9, length = 0;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc != 9) return bg_fail(env, "BAD_ARGUMENT", "native GEMM: adamw takes 9 arguments");
  float *heap = bg_heap_of(env, args[0], &length);
  if (!heap) return NULL;
  bool is_ta = false;
  napi_typedarray_type type = napi_int8_array;
  size_t cells = 0;
  void *raw = NULL;
  napi_is_typedarray(env, args[1], &is_ta);
  if (is_ta) napi_get_typedarray_info(env, args[1], &type, &cells, &raw, NULL, NULL);
  if (!is_ta || type != napi_float64_array || cells % 9 != 0)
    return bg_fail(env, "BAD_ARGUMENT", "native GEMM: the adamw table must be a Float64Array of 9 numbers per weight");
  double sc[7];
  for (int i = 0; i < 7; i++) {
    if (napi_get_value_double(env, args[i + 2], &sc[i]) != napi_ok)
      return bg_fail(env, "BAD_ARGUMENT", "native GEMM: adamw's scalars must be numbers");
  }
  const double *t = raw;
  const long count = (long)(cells / 9);
  bg_adamw_item *items = count ? malloc(sizeof *items * (size_t)count) : NULL;
  if (count && !items) return bg_fail(env, "OUT_OF_MEMORY", "native GEMM: cannot allocate the adamw table");
  const char *names[] = {"p", "g", "m", "v", "op", "om", "ov"};
  for (long k = 0; k < count; k++) {
    const double *row = t + 9 * k;
    const double n = row[7];
    if (n < 0 || n != (double)(long long)n || n > 9007199254740991.0) {
      free(items);
      return bg_fail(env, "BAD_ARGUMENT", "native GEMM: adamw's n must be a whole number >= 0");
    }
    float *ptr[7];
    for (int i = 0; i < 7; i++) {
      const double off = row[i];
      ptr[i] = NULL;
      if ((i == 2 || i == 3) && off == -1) continue;
      char msg[120];
      const int whole_offset = off >= 0 && off == (double)(long long)off;
      if (!whole_offset) snprintf(msg, sizeof msg, "native GEMM: adamw's %s must be a whole number >= 0", names[i]);
      if (!whole_offset || bg_in_heap(env, names[i], off, n, length)) {
        free(items);
        return whole_offset ? NULL : bg_fail(env, "BAD_ARGUMENT", msg);
      }
      ptr[i] = heap + (size_t)off;
    }
    items[k] = (bg_adamw_item){ptr[0], ptr[1], ptr[2], ptr[3], ptr[4], ptr[5], ptr[6], (long)n, row[8]};
  }
  const bg_adamw_scalars s = {sc[0], sc[1], sc[2], sc[3], sc[4], sc[5], sc[6]};
  pthread_mutex_lock(&bg_call_mu);
  bg_adamw(items, count, &s, bg_threads, bg_min_parallel_elems);
  pthread_mutex_unlock(&bg_call_mu);
  free(items);
  return NULL;
}

/* 1 + the largest offset the strides reach over dims (floats one operand spans). */
static double bg_extent(const double *dims, const double *strides) {
  double e = 1;
  for (int i = 0; i < 4; i++) e += (dims[i] - 1) * strides[i];
  return e;
}

napi_value bg_napi_attention(napi_env env, napi_callback_info info) {
  napi_value args[18];
  const char *names[] = {"scores",      "bias",        "mult",        "dp",          "out",         "B",
                         "H",           "T",           "S",           "biasStride0", "biasStride1", "biasStride2",
                         "biasStride3", "multStride0", "multStride1", "multStride2", "multStride3"};
  const double big = 9007199254740991.0, dim = 2147483647.0;
  const double lo[] = {0, 0, -1, -1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
  const double hi[] = {big, big, big, big, big, dim, dim, dim, dim, big, big, big, big, big, big, big, big};
  double v[17];
  size_t length = 0;
  float *heap = bg_read_args(env, info, 18, args, 17, names, lo, hi, v, &length);
  if (!heap) return NULL;
  const double *dims = v + 5, total = v[5] * v[6] * v[7] * v[8];
  const double need[5] = {total, bg_extent(dims, v + 9), bg_extent(dims, v + 13), total, total};
  for (int i = 0; i < 5; i++) {
    if (v[i] >= 0 && bg_in_heap(env, names[i], v[i], need[i], length)) return NULL;
  }
  char msg[200];
  for (int i = 0; i < 4; i++) {
    const int same_scores = i == 0 && v[0] == v[4]; /* in place is allowed */
    if (v[i] >= 0 && !same_scores && v[4] < v[i] + need[i] && v[i] < v[4] + total) {
      snprintf(msg, sizeof msg, "native attention: out overlaps %s", names[i]);
      return bg_fail(env, "OVERLAP", msg);
    }
  }
  bg_attention p = {heap + (size_t)v[0], heap + (size_t)v[1], v[2] >= 0 ? heap + (size_t)v[2] : NULL,
                    v[3] >= 0 ? heap + (size_t)v[3] : NULL, heap + (size_t)v[4], (long)v[5], (long)v[6],
                    (long)v[7], (long)v[8], {0}, {0}};
  for (int i = 0; i < 4; i++) {
    p.bias_strides[i] = (long)v[9 + i];
    p.mult_strides[i] = (long)v[13 + i];
  }
  pthread_mutex_lock(&bg_call_mu);
  bg_attention_run(&p, p.dp != NULL, bg_threads, bg_min_parallel_elems, bg_current_isa());
  pthread_mutex_unlock(&bg_call_mu);
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
  float *heap = bg_read_args(env, info, (size_t)ptrs + 2, args, ptrs + 1, names, lo, hi, v, &length);
  if (!heap) return NULL;
  const double n = v[ptrs];
  for (int i = 0; i < ptrs; i++) {
    if (bg_in_heap(env, names[i], v[i], n, length)) return NULL;
  }
  const float *in0 = heap + (size_t)v[0], *in1 = heap + (size_t)v[1];
  pthread_mutex_lock(&bg_call_mu);
  const int rc = grad ? bg_gelu(in1, in0, heap + (size_t)v[2], (long)n, bg_threads, bg_min_parallel_elems)
                      : bg_gelu(in0, NULL, heap + (size_t)v[1], (long)n, bg_threads, bg_min_parallel_elems);
  pthread_mutex_unlock(&bg_call_mu);
  if (rc) return bg_fail(env, "UNSUPPORTED_ISA", "native GEMM: GELU needs a CPU with AVX2 and FMA");
  return NULL;
}

napi_value bg_napi_gelu(napi_env env, napi_callback_info info) { return gelu_call(env, info, 0); }
napi_value bg_napi_gelu_grad(napi_env env, napi_callback_info info) { return gelu_call(env, info, 1); }

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
  float *heap = bg_read_args(env, info, (size_t)ptrs + 4, args, ptrs + 3, names, lo, hi, v, &length);
  if (!heap) return NULL;
  const double rows = v[ptrs], in = v[ptrs + 1], out = v[ptrs + 2];
  const double fwd_need[] = {rows * in, out * in, out, rows * out};
  const double grad_need[] = {rows * out, rows * in, out * in, rows * in, out * in, out};
  const double *need = grad ? grad_need : fwd_need;
  for (int i = 0; i < ptrs; i++) {
    if (v[i] >= 0 && bg_in_heap(env, names[i], v[i], need[i], length)) return NULL;
  }
  char msg[200];
  for (int o = inputs; o < ptrs; o++) {
    for (int i = 0; i < ptrs; i++) {
      if (i == o || v[o] < 0 || v[i] < 0 || need[o] <= 0 || need[i] <= 0) continue;
      if (v[o] < v[i] + need[i] && v[i] < v[o] + need[o]) {
        snprintf(msg, sizeof msg, "native dense: %s overlaps %s", names[o], names[i]);
        return bg_fail(env, "OVERLAP", msg);
      }
    }
  }
  float *at[6];
  for (int i = 0; i < ptrs; i++) at[i] = v[i] >= 0 ? heap + (size_t)v[i] : NULL;
  int rc;
  pthread_mutex_lock(&bg_call_mu);
  if (grad) {
    const bg_dense_grad p = {at[0], at[1], at[2], at[3], at[4], at[5], (long)rows, (long)in, (long)out};
    rc = bg_dense_grad_run(bg_current_isa(), bg_threads, bg_min_parallel_macs, &p);
  } else {
    const bg_dense p = {at[0], at[1], at[2], at[3], (long)rows, (long)in, (long)out};
    rc = bg_dense_run(bg_current_isa(), bg_threads, bg_min_parallel_macs, &p);
  }
  pthread_mutex_unlock(&bg_call_mu);
  if (rc) return bg_fail(env, "OUT_OF_MEMORY", "native GEMM: cannot allocate its packing buffers");
  return NULL;
}

napi_value bg_napi_dense(napi_env env, napi_callback_info info) { return dense_call(env, info, 0); }
napi_value bg_napi_dense_grad(napi_env env, napi_callback_info info) { return dense_call(env, info, 1); }
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
  float *heap = bg_read_args(env, info, backward ? 10 : 9, args, 8, names, lo, hi, v, &length);
  if (!heap) return NULL;
  const double rows = v[5], cells = v[5] * v[6];
  /* floats each operand spans: [rows, v] tensors, rows targets (or dy), 4 doubles a row of stats */
  const double fwd_need[] = {cells, rows, cells, cells, 8 * rows};
  const double bwd_need[] = {rows, cells, rows, cells, cells};
  const double *need = backward ? bwd_need : fwd_need;
  const int out = backward ? 4 : 3;
  for (int i = 0; i < 5; i++) {
    if (v[i] >= 0 && bg_in_heap(env, names[i], v[i], need[i], length)) return NULL;
  }
  char msg[200];
  for (int i = 0; i < 5; i++) {
    if (i != out && v[i] >= 0 && v[out] < v[i] + need[i] && v[i] < v[out] + need[out]) {
      snprintf(msg, sizeof msg, "native lsce: %s overlaps %s", names[out], names[i]);
      return bg_fail(env, "OVERLAP", msg);
    }
  }
  double eps = 0;
  if (backward && (napi_get_value_double(env, args[9], &eps) != napi_ok || !(eps >= 0 && eps < 1)))
    return bg_fail(env, "BAD_ARGUMENT", "native lsce: eps must be a number from 0 to 1 (excluded)");
  if (!backward && ((long long)v[4] % 2 != 0 || ((uintptr_t)heap & 7) != 0))
    return bg_fail(env, "BAD_ARGUMENT", "native lsce: stats must be 8-byte aligned (an even float offset)");
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
  pthread_mutex_lock(&bg_call_mu);
  const int rc = bg_lsce_run(&q, backward, bg_threads, bg_min_parallel_elems);
  pthread_mutex_unlock(&bg_call_mu);
  if (rc) return bg_fail(env, "UNSUPPORTED_ISA", "native GEMM: the cross-entropy needs a CPU with AVX2 and FMA");
  return NULL;
}

napi_value bg_napi_lsce(napi_env env, napi_callback_info info) { return lsce_call(env, info, 0); }
napi_value bg_napi_lsce_grad(napi_env env, napi_callback_info info) { return lsce_call(env, info, 1); }
