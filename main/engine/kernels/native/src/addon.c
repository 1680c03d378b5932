/*
 * N-API (node_api.h only: ABI-stable across Node and Electron) binding of the native GEMM.
 *
 *   gemm(heap: Float32Array, a, b, out, batchA, batchB, m, k, n, transposeA, transposeB)
 *     offsets in floats from heap's start; runs in place on heap's memory and returns nothing.
 *     Bad offsets or sizes throw an Error named NativeGemmError (code BIOMED_NATIVE_GEMM_*).
 *   im2col(heap, x, cols, ...geometry) / col2im(heap, dcols, dx, ...geometry): NHWC convolution
 *     lowering (im2col.h), geometry = batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW,
 *     padTop, padLeft; offsets in floats, bounds checked the same way.
 *   (attention, adamw, gelu, dense and lsce are bound in addon-rows.c; shared checks in addon-util.c)
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
#include <stdio.h>
#include <string.h>

#include "addon-util.h"
#include "batched.h"
#include "gemm.h"
#include "im2col.h"

static napi_value gemm(napi_env env, napi_callback_info info) {
  napi_value args[11];
  const char *names[] = {"a", "b", "out", "batchA", "batchB", "m", "k", "n"};
  /* offsets and k >= 0, batches, m, n >= 1 */
  const double lo[] = {0, 0, 0, 1, 1, 1, 0, 1};
  const double big = 9007199254740991.0, dim = 2147483647.0;
  const double hi[] = {big, big, big, dim, dim, dim, dim, dim};
  double v[8];
  size_t length = 0;
  float *data = bg_read_args(env, info, 11, args, 8, names, lo, hi, v, &length);
  if (!data) return NULL;
  bool ta = false, tb = false;
  if (napi_get_value_bool(env, args[9], &ta) != napi_ok || napi_get_value_bool(env, args[10], &tb) != napi_ok)
    return bg_fail(env, "BAD_ARGUMENT", "native GEMM: transposeA and transposeB must be booleans");
  const double batch_a = v[3], batch_b = v[4], m = v[5], k = v[6], n = v[7];
  if (batch_a != batch_b && batch_a != 1 && batch_b != 1)
    return bg_fail(env, "BAD_SHAPE", "native GEMM: batchA and batchB differ and neither is 1");
  const double batch = batch_a > batch_b ? batch_a : batch_b;
  /* sizes as doubles: exact below 2^53, and any larger one is out of the heap anyway */
  const double need[3] = {batch_a * m * k, batch_b * k * n, batch * m * n};
  for (int i = 0; i < 3; i++) {
    if (bg_in_heap(env, names[i], v[i], need[i], length)) return NULL;
  }
  char msg[200];
  for (int i = 0; i < 2; i++) {
    if (need[i] > 0 && v[2] < v[i] + need[i] && v[i] < v[2] + need[2]) {
      snprintf(msg, sizeof msg, "native GEMM: out overlaps %s", names[i]);
      return bg_fail(env, "OVERLAP", msg);
    }
  }
  const float *heap = data;
  bg_batched p = {heap + (size_t)v[0], heap + (size_t)v[1], (float *)heap + (size_t)v[2], (long)batch_a,
                  (long)batch_b, (long)m, (long)k, (long)n, ta, tb};
  pthread_mutex_lock(&bg_call_mu);
  const int rc = bg_gemm_batched(bg_current_isa(), bg_threads, bg_min_parallel_macs, &p);
  pthread_mutex_unlock(&bg_call_mu);
  if (rc) return bg_fail(env, "OUT_OF_MEMORY", "native GEMM: cannot allocate its packing buffers");
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
  float *heap = bg_read_args(env, info, 15, args, 14, names, lo, hi, v, &length);
  if (!heap) return NULL;
  const bg_conv g = {(long)v[2], (long)v[3], (long)v[4], (long)v[5],  (long)v[6],  (long)v[7],
                     (long)v[8], (long)v[9], (long)v[10], (long)v[11], (long)v[12], (long)v[13]};
  const double image = v[2] * v[3] * v[4] * v[5];
  const double cols = v[2] * v[6] * v[7] * v[8] * v[9] * v[5];
  const double need[2] = {forward ? image : cols, forward ? cols : image};
  for (int i = 0; i < 2; i++) {
    if (bg_in_heap(env, names[i], v[i], need[i], length)) return NULL;
  }
  if (v[1] < v[0] + need[0] && v[0] < v[1] + need[1]) return bg_fail(env, "OVERLAP", "native GEMM: dst overlaps src");
  pthread_mutex_lock(&bg_call_mu);
  if (forward) {
    bg_im2col(&g, heap + (size_t)v[0], heap + (size_t)v[1], bg_threads, bg_min_parallel_elems);
  } else {
    bg_col2im(&g, heap + (size_t)v[0], heap + (size_t)v[1], bg_threads, bg_min_parallel_elems);
  }
  pthread_mutex_unlock(&bg_call_mu);
  return NULL;
}

static napi_value im2col(napi_env env, napi_callback_info info) { return lower(env, info, 1); }
static napi_value col2im(napi_env env, napi_callback_info info) { return lower(env, info, 0); }


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
  const bg_isa isa = bg_current_isa();
  set_string(env, obj, "isa", bg_isa_name(isa));
  set_number(env, obj, "threads", bg_threads);
  set_number(env, obj, "mr", bg_mr(isa));
  set_number(env, obj, "nr", bg_nr(isa));
  set_number(env, obj, "minParallelMacs", bg_min_parallel_macs);
  set_number(env, obj, "minParallelElems", bg_min_parallel_elems);
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
  if (t != napi_object) return bg_fail(env, "BAD_ARGUMENT", "native GEMM: configure() takes an object");
  bool has = false;
  double d;
  napi_has_named_property(env, arg, "threads", &has);
  if (has) {
    napi_get_named_property(env, arg, "threads", &v);
    if (bg_whole(env, v, "threads", 1, 64, &d)) return NULL;
    bg_threads = (int)d;
  }
  napi_has_named_property(env, arg, "minParallelMacs", &has);
  if (has) {
    napi_get_named_property(env, arg, "minParallelMacs", &v);
    if (bg_whole(env, v, "minParallelMacs", 0, 9007199254740991.0, &d)) return NULL;
    bg_min_parallel_macs = d;
  }
  napi_has_named_property(env, arg, "minParallelElems", &has);
  if (has) {
    napi_get_named_property(env, arg, "minParallelElems", &v);
    if (bg_whole(env, v, "minParallelElems", 0, 9007199254740991.0, &d)) return NULL;
    bg_min_parallel_elems = d;
  }
  napi_has_named_property(env, arg, "isa", &has);
  if (has) {
    char name[16] = "";
    size_t len = 0;
    napi_get_named_property(env, arg, "isa", &v);
    napi_valuetype vt;
    napi_typeof(env, v, &vt);
    if (vt == napi_undefined || vt == napi_null) {
      bg_isa_chosen = -1;
    } else {
      if (napi_get_value_string_utf8(env, v, name, sizeof name, &len) != napi_ok)
        return bg_fail(env, "BAD_ARGUMENT", "native GEMM: isa must be avx512, avx2 or scalar");
      int found = -1;
      for (int i = BG_SCALAR; i <= BG_AVX512; i++) {
        if (strcmp(name, bg_isa_name((bg_isa)i)) == 0) found = i;
      }
      if (found < 0) return bg_fail(env, "BAD_ARGUMENT", "native GEMM: isa must be avx512, avx2 or scalar");
      if (!bg_isa_supported((bg_isa)found)) {
        char msg[120];
        snprintf(msg, sizeof msg, "native GEMM: this CPU does not run the %s kernel", name);
        return bg_fail(env, "UNSUPPORTED_ISA", msg);
      }
      bg_isa_chosen = found;
    }
  }
  return describe(env, info);
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_default, NULL},
      {"im2col", NULL, im2col, NULL, NULL, NULL, napi_default, NULL},
      {"col2im", NULL, col2im, NULL, NULL, NULL, napi_default, NULL},
      {"attention", NULL, bg_napi_attention, NULL, NULL, NULL, napi_default, NULL},
      {"adamw", NULL, bg_napi_adamw, NULL, NULL, NULL, napi_default, NULL},
      {"gelu", NULL, bg_napi_gelu, NULL, NULL, NULL, napi_default, NULL},
      {"geluGrad", NULL, bg_napi_gelu_grad, NULL, NULL, NULL, napi_default, NULL},
      {"dense", NULL, bg_napi_dense, NULL, NULL, NULL, napi_default, NULL},
      {"denseGrad", NULL, bg_napi_dense_grad, NULL, NULL, NULL, napi_default, NULL},
      {"lsce", NULL, bg_napi_lsce, NULL, NULL, NULL, napi_default, NULL},
      {"lsceGrad", NULL, bg_napi_lsce_grad, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, describe, NULL, NULL, NULL, napi_default, NULL},
      {"configure", NULL, configure, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
