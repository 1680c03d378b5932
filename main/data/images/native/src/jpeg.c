#include "jpeg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fastjpeg.h"
#include "resize.h"

#ifdef _WIN32
const char *jpeg_unavailable(void) { return "the native JPEG path is not built for Windows"; }
int jpeg_downscale(const uint8_t *src, size_t n, int side, int quality, int thumb_side, int own, JpegOut *out,
                   char *err, size_t errlen) {
  return 1;
}
int jpeg_scaled_grey(const uint8_t *src, size_t n, int d, int own, uint8_t **out, int *w, int *h, char *err,
                     size_t errlen) {
  return 1;
}
void jpeg_free(JpegOut *out) {}
#else
#include <dlfcn.h>
#include <pthread.h>

// The TurboJPEG 2.x API (turbojpeg.h), declared here so that the build needs no headers.
typedef void *tjhandle;
enum { TJPF_RGB = 0, TJPF_GRAY = 6 };
enum { TJSAMP_420 = 2, TJSAMP_GRAY = 3 };
enum { TJCS_RGB = 0, TJCS_YCbCr = 1, TJCS_GRAY = 2 };
static struct {
  tjhandle (*init_decompress)(void);
  tjhandle (*init_compress)(void);
  int (*destroy)(tjhandle);
  int (*header)(tjhandle, const unsigned char *, unsigned long, int *, int *, int *, int *);
  int (*decompress)(tjhandle, const unsigned char *, unsigned long, unsigned char *, int, int, int, int, int);
  int (*compress)(tjhandle, const unsigned char *, int, int, int, int, unsigned char **, unsigned long *, int,
                  int, int);
  char *(*error)(tjhandle);
  void (*free)(unsigned char *);
} tj;
static char load_error[300];
static int loaded = -1;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
  const char *name = getenv("BIOMED_TURBOJPEG");
  if (!name || !*name) name = "libturbojpeg.so.0";
  void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    snprintf(load_error, sizeof load_error, "%s does not load: %s", name, dlerror());
    loaded = 0;
    return;
  }
#define SYM(field, sym)                                                                                \
  if (!(*(void **)&tj.field = dlsym(lib, sym))) {                                                      \
    snprintf(load_error, sizeof load_error, "%s lacks %s", name, sym);                                  \
    loaded = 0;                                                                                          \
    return;                                                                                              \
  }
  SYM(init_decompress, "tjInitDecompress");
  SYM(init_compress, "tjInitCompress");
  SYM(destroy, "tjDestroy");
  SYM(header, "tjDecompressHeader3");
  SYM(decompress, "tjDecompress2");
  SYM(compress, "tjCompress2");
  SYM(error, "tjGetErrorStr2");
  SYM(free, "tjFree");
#undef SYM
  loaded = 1;
}

const char *jpeg_unavailable(void) {
  pthread_once(&once, load);
  return loaded == 1 ? NULL : load_error;
}

// The long side becomes `side`, the short one in proportion (rounded, at least 1; sharp rounds
// from its shrink-on-load size, so its short side can be one pixel less).
static void fit_inside(int w, int h, int side, int *ow, int *oh) {
  if (w >= h) {
    *ow = side;
    *oh = (int)lround((double)h * side / w);
  } else {
    *oh = side;
    *ow = (int)lround((double)w * side / h);
  }
  if (*ow < 1) *ow = 1;
  if (*oh < 1) *oh = 1;
}

// The samples [sh, sw, ch] at scale 1/d: one grey component at 1/4 or 1/8 by our own decoder
// (fastjpeg.c, the same samples) where `own` and it takes the file, else by libjpeg-turbo.
// 0: decoded (*by_own says which); -1: libjpeg-turbo refused the file (err).
static int decode_scaled(tjhandle dec, const uint8_t *src, size_t n, int w, int h, int d, int ch, int own,
                         uint8_t *scaled, int *by_own, char *err, size_t errlen) {
  const int sw = (w + d - 1) / d, sh = (h + d - 1) / d;
  *by_own = own && ch == 1 && fastjpeg_grey_scaled(src, n, w, h, d, scaled) == 0;
  if (*by_own) return 0;
  // Flags 0: accurate integer DCT, fancy upsampling; a warning (a truncated file) is an error.
  if (tj.decompress(dec, src, (unsigned long)n, scaled, sw, 0, sh, ch == 1 ? TJPF_GRAY : TJPF_RGB, 0)) {
    snprintf(err, errlen, "%s", tj.error(dec));
    return -1;
  }
  return 0;
}

int jpeg_scaled_grey(const uint8_t *src, size_t n, int d, int own, uint8_t **out, int *w, int *h, char *err,
                     size_t errlen) {
  *out = NULL;
  if (jpeg_unavailable()) return 1;
  int rc = 1, samp, cs, by_own = 0;
  tjhandle dec = tj.init_decompress();
  if (!dec) {
    snprintf(err, errlen, "TurboJPEG: out of memory");
    return -1;
  }
  if (tj.header(dec, src, (unsigned long)n, w, h, &samp, &cs)) {
    snprintf(err, errlen, "%s", tj.error(dec));
    rc = -1;
  } else if (cs == TJCS_GRAY && (d == 1 || d == 2 || d == 4 || d == 8)) {
    *out = malloc((size_t)((*w + d - 1) / d) * ((*h + d - 1) / d));
    if (!*out) {
      snprintf(err, errlen, "out of memory");
      rc = -1;
    } else if (own)
      rc = fastjpeg_grey_scaled(src, n, *w, *h, d, *out) == 0 ? 0 : 1;
    else
      rc = decode_scaled(dec, src, n, *w, *h, d, 1, 0, *out, &by_own, err, errlen);
    if (rc != 0) {
      free(*out);
      *out = NULL;
    }
  }
  tj.destroy(dec);
  return rc;
}

int jpeg_downscale(const uint8_t *src, size_t n, int side, int quality, int thumb_side, int own, JpegOut *out,
                   char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (jpeg_unavailable()) return 1;
  int rc = -1, w, h, samp, cs;
  uint8_t *scaled = NULL, *pixels = NULL;
  tjhandle dec = tj.init_decompress(), enc = NULL;
  if (!dec) {
    snprintf(err, errlen, "TurboJPEG: out of memory");
    return -1;
  }
  if (tj.header(dec, src, (unsigned long)n, &w, &h, &samp, &cs)) {
    snprintf(err, errlen, "%s", tj.error(dec));
    goto done;
  }
  if ((cs != TJCS_GRAY && cs != TJCS_YCbCr && cs != TJCS_RGB) || (w <= side && h <= side)) {
    rc = 1;
    goto done;
  }
  const int ch = cs == TJCS_GRAY ? 1 : 3;
  int ow, oh;
  fit_inside(w, h, side, &ow, &oh);
  // The smallest DCT scale whose image still covers the target (libvips' shrink-on-load).
  int d = 8;
  while (d > 1 && ((w + d - 1) / d < ow || (h + d - 1) / d < oh)) d /= 2;
  const int sw = (w + d - 1) / d, sh = (h + d - 1) / d;
  scaled = malloc((size_t)sw * sh * ch); // [sh, sw, ch]
  pixels = malloc((size_t)ow * oh * ch); // [oh, ow, ch]
  if (!scaled || !pixels) {
    snprintf(err, errlen, "out of memory for %dx%d pixels", sw, sh);
    goto done;
  }
  if (decode_scaled(dec, src, n, w, h, d, ch, own, scaled, &out->own, err, errlen)) goto done;
  if (sw == ow && sh == oh)
    memcpy(pixels, scaled, (size_t)ow * oh * ch);
  else if (resize_bicubic(scaled, sw, sh, ch, pixels, ow, oh)) {
    snprintf(err, errlen, "out of memory resizing to %dx%d", ow, oh);
    goto done;
  }
  enc = tj.init_compress();
  if (!enc) {
    snprintf(err, errlen, "TurboJPEG: out of memory");
    goto done;
  }
  if (tj.compress(enc, pixels, ow, 0, oh, ch == 1 ? TJPF_GRAY : TJPF_RGB, &out->jpeg, &out->jpeg_size,
                  ch == 1 ? TJSAMP_GRAY : TJSAMP_420, quality, 0)) {
    snprintf(err, errlen, "%s", tj.error(enc));
    goto done;
  }
  out->width = ow;
  out->height = oh;
  out->channels = ch;
  if (thumb_side > 0 && (ow > thumb_side || oh > thumb_side)) {
    fit_inside(ow, oh, thumb_side, &out->thumb_w, &out->thumb_h);
    out->thumb = malloc((size_t)out->thumb_w * out->thumb_h * ch);
    if (!out->thumb ||
        resize_bicubic(pixels, ow, oh, ch, out->thumb, out->thumb_w, out->thumb_h)) {
      snprintf(err, errlen, "out of memory for the thumbnail");
      goto done;
    }
  }
  rc = 0;
done:
  if (rc != 0) jpeg_free(out);
  free(scaled);
  free(pixels);
  tj.destroy(dec);
  if (enc) tj.destroy(enc);
  return rc;
}

void jpeg_free(JpegOut *out) {
  if (out->jpeg) tj.free(out->jpeg);
  free(out->thumb);
  memset(out, 0, sizeof *out);
}
#endif
