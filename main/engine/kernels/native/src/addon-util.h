/* The addon's shared state and argument checks, for addon.c and addon-rows.c (addon-util.c). */
#ifndef BIOMED_ADDON_UTIL_H
#define BIOMED_ADDON_UTIL_H
#include <node_api.h>
#include <pthread.h>
#include <stddef.h>

#include "gemm.h"

/* One kernel call at a time (the pool and the settings below are process-wide). */
extern pthread_mutex_t bg_call_mu;
extern int bg_isa_chosen; /* -1: the best this CPU runs */
extern int bg_threads;
extern double bg_min_parallel_macs;  /* a product below this stays on the calling thread */
extern double bg_min_parallel_elems; /* the element kernels split from this many elements */

bg_isa bg_current_isa(void);
/* Throws an Error named NativeGemmError with code BIOMED_NATIVE_GEMM_<code>; returns NULL. */
napi_value bg_fail(napi_env env, const char *code, const char *msg);
/* A whole number in [lo, hi] from v into *out, else -1 with `what` named in the thrown error. */
int bg_whole(napi_env env, napi_value v, const char *what, double lo, double hi, double *out);
/* The heap Float32Array of v (its length in floats in *length), or NULL with an error thrown. */
float *bg_heap_of(napi_env env, napi_value v, size_t *length);
/* Exactly `want` arguments: args[0] the heap (returned), args[1..nums] whole numbers into v
 * (v[i] within [lo[i], hi[i]], named names[i]); NULL with a NativeGemmError thrown on any mismatch. */
float *bg_read_args(napi_env env, napi_callback_info info, size_t want, napi_value *args, int nums,
                    const char *const *names, const double *lo, const double *hi, double *v, size_t *length);
/* 0 when floats [off, off + need) lie in the heap, else -1 with OUT_OF_BOUNDS thrown. */
int bg_in_heap(napi_env env, const char *name, double off, double need, size_t length);

/* The row and element kernels' bindings (addon-rows.c). */
napi_value bg_napi_adamw(napi_env env, napi_callback_info info);
napi_value bg_napi_attention(napi_env env, napi_callback_info info);
napi_value bg_napi_gelu(napi_env env, napi_callback_info info);
napi_value bg_napi_gelu_grad(napi_env env, napi_callback_info info);
napi_value bg_napi_dense(napi_env env, napi_callback_info info);
napi_value bg_napi_dense_grad(napi_env env, napi_callback_info info);
napi_value bg_napi_lsce(napi_env env, napi_callback_info info);
napi_value bg_napi_lsce_grad(napi_env env, napi_callback_info info);

#endif
