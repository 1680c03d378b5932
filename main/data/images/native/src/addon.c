// N-API bindings of the native JPEG path (jpeg.c): `unavailable()`, `downscale(...)` (synchronous),
// `downscaleAsync(...)` (on libuv's threads, as sharp runs) and `scaledGrey(...)` (the two decoders
// side by side, for tests); nothing is kept between calls.
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>

#include "jpeg.h"

#define CHECK(call)                                                                                    \
  if ((call) != napi_ok) {                                                                             \
    napi_throw_error(env, NULL, "biomed_image: N-API call failed");                                     \
    return NULL;                                                                                         \
  }

static napi_value js_unavailable(napi_env env, napi_callback_info info) {
  const char *why = jpeg_unavailable();
  napi_value out;
  napi_status s = why ? napi_create_string_utf8(env, why, NAPI_AUTO_LENGTH, &out) : napi_get_null(env, &out);
  CHECK(s)
  return out;
}

static int int_arg(napi_env env, napi_value v, int lo, int hi, int *out) {
  int32_t x;
  if (napi_get_value_int32(env, v, &x) != napi_ok || x < lo || x > hi) return -1;
  *out = x;
  return 0;
}

static napi_value set_int(napi_env env, napi_value obj, const char *key, int value) {
  napi_value v;
  CHECK(napi_create_int32(env, value, &v))
  CHECK(napi_set_named_property(env, obj, key, v))
  return obj;
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref src; // keeps the source bytes alive while a thread reads them
  const uint8_t *data;
  size_t n;
  int side, quality, thumb, own, rc;
  char err[256];
  JpegOut out;
} Job;

// An optional boolean argument (absent or undefined: `fallback`); -1 where it is something else.
static int bool_arg(napi_env env, size_t argc, napi_value *argv, size_t i, int fallback, int *out) {
  napi_valuetype t = napi_undefined;
  bool b;
  *out = fallback;
  if (i >= argc || (napi_typeof(env, argv[i], &t) == napi_ok && t == napi_undefined)) return 0;
  if (napi_get_value_bool(env, argv[i], &b) != napi_ok) return -1;
  *out = b;
  return 0;
}

static int parse(napi_env env, napi_callback_info info, Job *job, napi_value *src) {
  size_t argc = 5;
  napi_value argv[5];
  bool typed = false;
  napi_typedarray_type type;
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4 ||
      napi_is_typedarray(env, argv[0], &typed) != napi_ok || !typed ||
      napi_get_typedarray_info(env, argv[0], &type, &job->n, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array || int_arg(env, argv[1], 1, 65535, &job->side) ||
      int_arg(env, argv[2], 1, 100, &job->quality) || int_arg(env, argv[3], 0, 65535, &job->thumb) ||
      bool_arg(env, argc, argv, 4, 1, &job->own)) {
    napi_throw_type_error(
        env, NULL, "downscale(src: Uint8Array, side 1-65535, quality 1-100, thumbSide 0-65535, own?: boolean)");
    return -1;
  }
  job->data = data;
  *src = argv[0];
  return 0;
}

static void run(Job *job) {
  job->rc = jpeg_downscale(job->data, job->n, job->side, job->quality, job->thumb, job->own, &job->out,
                           job->err, sizeof job->err);
}

// The outcome as a value (null: not for this path), or NULL with *error set to an Error value.
static napi_value outcome(napi_env env, Job *job, napi_value *error) {
  napi_value result = NULL, jpeg, th, msg;
  *error = NULL;
  if (job->rc == 1) {
    if (napi_get_null(env, &result) != napi_ok) result = NULL;
  } else if (job->rc != 0) {
    if (napi_create_string_utf8(env, job->err[0] ? job->err : "libjpeg-turbo failed", NAPI_AUTO_LENGTH,
                                &msg) == napi_ok)
      napi_create_error(env, NULL, msg, error);
  } else {
    JpegOut *o = &job->out;
    napi_status s = napi_create_object(env, &result);
    if (s == napi_ok) s = napi_create_buffer_copy(env, o->jpeg_size, o->jpeg, NULL, &jpeg);
    if (s == napi_ok && o->thumb)
      s = napi_create_buffer_copy(env, (size_t)o->thumb_w * o->thumb_h * o->channels, o->thumb, NULL, &th);
    else if (s == napi_ok)
      s = napi_get_null(env, &th);
    if (s == napi_ok) s = napi_set_named_property(env, result, "jpeg", jpeg);
    if (s == napi_ok) s = napi_set_named_property(env, result, "thumb", th);
    if (s == napi_ok) s = napi_create_string_utf8(env, o->own ? "own" : "turbojpeg", NAPI_AUTO_LENGTH, &msg);
    if (s == napi_ok) s = napi_set_named_property(env, result, "decoder", msg);
    if (s != napi_ok || !set_int(env, result, "width", o->width) || !set_int(env, result, "height", o->height) ||
        !set_int(env, result, "channels", o->channels) || !set_int(env, result, "thumbWidth", o->thumb_w) ||
        !set_int(env, result, "thumbHeight", o->thumb_h))
      result = NULL;
  }
  jpeg_free(&job->out);
  if (!result && !*error &&
      napi_create_string_utf8(env, "biomed_image: N-API call failed", NAPI_AUTO_LENGTH, &msg) == napi_ok)
    napi_create_error(env, NULL, msg, error);
  return result;
}

// downscale(src: Uint8Array, side, quality, thumbSide) -> null | { jpeg, width, height, channels,
// thumb: Buffer | null, thumbWidth, thumbHeight }; throws with libjpeg-turbo's words.
static napi_value js_downscale(napi_env env, napi_callback_info info) {
  Job job = {0};
  napi_value src, error;
  if (parse(env, info, &job, &src)) return NULL;
  run(&job);
  napi_value result = outcome(env, &job, &error);
  if (!result && error) napi_throw(env, error);
  return result;
}

// scaledGrey(src: Uint8Array, scale 1|2|4|8, own: boolean) -> null | { width, height, pixels }:
// a grey JPEG's samples at 1/scale by our own decoder or libjpeg-turbo's (null: not grey, or our
// decoder does not take it); throws with libjpeg-turbo's words. For tests and benches.
static napi_value js_scaled_grey(napi_env env, napi_callback_info info) {
  size_t argc = 3, n = 0;
  napi_value argv[3], result, pixels;
  bool typed = false;
  napi_typedarray_type type;
  void *data = NULL;
  int d, own, w = 0, h = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 ||
      napi_is_typedarray(env, argv[0], &typed) != napi_ok || !typed ||
      napi_get_typedarray_info(env, argv[0], &type, &n, &data, NULL, NULL) != napi_ok || type != napi_uint8_array ||
      int_arg(env, argv[1], 1, 8, &d) || bool_arg(env, argc, argv, 2, 1, &own)) {
    napi_throw_type_error(env, NULL, "scaledGrey(src: Uint8Array, scale 1|2|4|8, own: boolean)");
    return NULL;
  }
  uint8_t *out = NULL;
  char err[256] = "";
  const int rc = jpeg_scaled_grey(data, n, d, own, &out, &w, &h, err, sizeof err);
  if (rc < 0) {
    napi_throw_error(env, NULL, err[0] ? err : "libjpeg-turbo failed");
    return NULL;
  }
  if (rc == 1) {
    CHECK(napi_get_null(env, &result))
    return result;
  }
  const int sw = (w + d - 1) / d, sh = (h + d - 1) / d;
  napi_status s = napi_create_buffer_copy(env, (size_t)sw * sh, out, NULL, &pixels);
  free(out);
  CHECK(s)
  CHECK(napi_create_object(env, &result))
  CHECK(napi_set_named_property(env, result, "pixels", pixels))
  if (!set_int(env, result, "width", sw) || !set_int(env, result, "height", sh)) return NULL;
  return result;
}

static void execute(napi_env env, void *data) { run(data); }

static void complete(napi_env env, napi_status status, void *data) {
  Job *job = data;
  napi_value result = NULL, error = NULL;
  if (status == napi_ok) result = outcome(env, job, &error);
  else jpeg_free(&job->out);
  if (result) napi_resolve_deferred(env, job->deferred, result);
  else {
    if (!error) {
      napi_value msg;
      napi_create_string_utf8(env, "biomed_image: the job was cancelled", NAPI_AUTO_LENGTH, &msg);
      napi_create_error(env, NULL, msg, &error);
    }
    napi_reject_deferred(env, job->deferred, error);
  }
  napi_delete_reference(env, job->src);
  napi_delete_async_work(env, job->work);
  free(job);
}

// downscaleAsync(...): the same on one of libuv's threads, as a Promise.
static napi_value js_downscale_async(napi_env env, napi_callback_info info) {
  Job *job = calloc(1, sizeof *job);
  napi_value src, promise, name;
  if (!job) {
    napi_throw_error(env, NULL, "biomed_image: out of memory");
    return NULL;
  }
  if (parse(env, info, job, &src)) {
    free(job);
    return NULL;
  }
  if (napi_create_reference(env, src, 1, &job->src) != napi_ok ||
      napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "biomed_image.downscale", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute, complete, job, &job->work) != napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    napi_throw_error(env, NULL, "biomed_image: N-API call failed");
    return NULL;
  }
  return promise;
}

NAPI_MODULE_INIT() {
  napi_value f;
  if (napi_create_function(env, "unavailable", NAPI_AUTO_LENGTH, js_unavailable, NULL, &f) != napi_ok ||
      napi_set_named_property(env, exports, "unavailable", f) != napi_ok ||
      napi_create_function(env, "downscale", NAPI_AUTO_LENGTH, js_downscale, NULL, &f) != napi_ok ||
      napi_set_named_property(env, exports, "downscale", f) != napi_ok ||
      napi_create_function(env, "downscaleAsync", NAPI_AUTO_LENGTH, js_downscale_async, NULL, &f) != napi_ok ||
      napi_set_named_property(env, exports, "downscaleAsync", f) != napi_ok ||
      napi_create_function(env, "scaledGrey", NAPI_AUTO_LENGTH, js_scaled_grey, NULL, &f) != napi_ok ||
      napi_set_named_property(env, exports, "scaledGrey", f) != napi_ok)
    return NULL;
  return exports;
}
