/* The addon's shared state (threads, ISA, split thresholds) and argument checks (addon-util.h). */
#include "addon-util.h"

#include <stdio.h>

pthread_mutex_t bg_call_mu = PTHREAD_MUTEX_INITIALIZER;
int bg_isa_chosen = -1; /* -1: the best this CPU runs */
int bg_threads = 1;
/* Below this many multiply-adds a product stays on the calling thread. With workers that sleep at
 * once, waking one cost ~25 us and 2 threads paid only from ~16M MACs; since the pool's workers poll
 * ~50 us before sleeping (pool.c), `npx tsx bench/native-gemm.ts --sweep` splits 64x64x64 (0.26M
 * MACs) in 2.4 us against 4.0 on one thread, and idle in the train step a 1M threshold was no slower
 * than 16M (cpu-s 2 threads 105 vs 107 ms, cpu-m 274 vs 278 ms). */
double bg_min_parallel_macs = 1 << 20;
/* The element kernels (rowops.c) split over threads from this many elements (see rowops.h). */
double bg_min_parallel_elems = 1 << 16;

bg_isa bg_current_isa(void) { return bg_isa_chosen < 0 ? bg_best_isa() : (bg_isa)bg_isa_chosen; }

napi_value bg_fail(napi_env env, const char *code, const char *msg) {
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
int bg_whole(napi_env env, napi_value v, const char *what, double lo, double hi, double *out) {
  double d;
  char msg[160];
  if (napi_get_value_double(env, v, &d) != napi_ok || d != d || d < lo || d > hi || d != (double)(long long)d) {
    snprintf(msg, sizeof msg, "native GEMM: %s must be a whole number from %.0f to %.0f", what, lo, hi);
    bg_fail(env, "BAD_ARGUMENT", msg);
    return -1;
  }
  *out = d;
  return 0;
}

/* The heap Float32Array of args[0] (length in floats), or NULL with a NativeGemmError thrown. */
float *bg_heap_of(napi_env env, napi_value v, size_t *length) {
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  napi_typedarray_type type = napi_int8_array;
  void *data = NULL;
  if (is_ta) napi_get_typedarray_info(env, v, &type, length, &data, NULL, NULL);
  if (!is_ta || type != napi_float32_array) {
    bg_fail(env, "BAD_ARGUMENT", "native GEMM: heap must be a Float32Array");
    return NULL;
  }
  return data;
}

/*
 * Reads exactly `want` arguments into args: args[0] the heap (returned, its length in floats in
 * *length), args[1..nums] whole numbers into v (v[i] within [lo[i], hi[i]], named names[i]).
 * NULL with a NativeGemmError thrown on any mismatch.
 */
float *bg_read_args(napi_env env, napi_callback_info info, size_t want, napi_value *args, int nums,
                        const char *const *names, const double *lo, const double *hi, double *v, size_t *length) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc != want) {
    char msg[80];
    snprintf(msg, sizeof msg, "native GEMM: this function takes %zu arguments", want);
    bg_fail(env, "BAD_ARGUMENT", msg);
    return NULL;
  }
  float *heap = bg_heap_of(env, args[0], length);
  for (int i = 0; heap && i < nums; i++) {
    if (bg_whole(env, args[i + 1], names[i], lo[i], hi[i], &v[i])) return NULL;
  }
  return heap;
}

/* 0 when floats [off, off + need) lie in the heap, else -1 with OUT_OF_BOUNDS thrown. */
int bg_in_heap(napi_env env, const char *name, double off, double need, size_t length) {
  if (off + need <= (double)length) return 0;
  char msg[200];
  snprintf(msg, sizeof msg, "native GEMM: %s [%.0f, %.0f) lies outside the heap of %zu floats", name, off, off + need,
           length);
  bg_fail(env, "OUT_OF_BOUNDS", msg);
  return -1;
}
