// Separable bicubic resampling (Catmull-Rom, a = -0.5), antialiased: for a downscale by s the
// kernel is stretched to 2s on each side, so every source pixel contributes (PIL's ImagingResample).
#include "resize.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ROWS 8 // grey rows filtered at once by the horizontal pass

static double cubic(double x) {
  const double a = -0.5;
  x = fabs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

typedef struct {
  int taps;   // weights per output (the widest window)
  int *lo;    // [out] first source index
  int *count; // [out] source indices used
  float *w;   // [out, taps] normalised weights
} Coeffs;

static void coeffs_free(Coeffs *c) {
  free(c->lo);
  free(c->count);
  free(c->w);
}

static int coeffs_make(Coeffs *c, int in, int out) {
  const double scale = (double)in / out;
  const double fs = scale < 1 ? 1 : scale;
  const double support = 2 * fs;
  c->taps = (int)ceil(support) * 2 + 1;
  c->lo = malloc(sizeof(int) * out);
  c->count = malloc(sizeof(int) * out);
  c->w = calloc((size_t)out * c->taps, sizeof(float));
  if (!c->lo || !c->count || !c->w) return -1;
  for (int i = 0; i < out; i++) {
    const double center = (i + 0.5) * scale;
    int lo = (int)floor(center - support + 0.5);
    int hi = (int)floor(center + support + 0.5);
    if (lo < 0) lo = 0;
    if (hi > in) hi = in;
    if (hi - lo > c->taps) hi = lo + c->taps;
    double sum = 0;
    double w[hi - lo > 0 ? hi - lo : 1];
    for (int x = lo; x < hi; x++) sum += (w[x - lo] = cubic((x - center + 0.5) / fs));
    for (int x = lo; x < hi; x++) c->w[(size_t)i * c->taps + (x - lo)] = (float)(sum != 0 ? w[x - lo] / sum : 0);
    c->lo[i] = lo;
    c->count[i] = hi - lo;
  }
  return 0;
}

// One grey image: the vertical pass first (over whole rows, one vector op per tap and ROWS/4
// pixels), then the horizontal one ROWS output rows at once from a transposed copy, so the
// horizontal taps (the costlier pass) run over the output's rows rather than the source's.
static int resize_grey(const uint8_t *src, int w, int h, uint8_t *dst, int ow, int oh, const Coeffs *cx,
                       const Coeffs *cy) {
  float *tmp = malloc(sizeof(float) * (size_t)w * oh); // [oh, w]
  float *cols = malloc(sizeof(float) * ROWS * w);      // [w, ROWS]
  if (!tmp || !cols) {
    free(tmp);
    free(cols);
    return -1;
  }
  for (int j = 0; j < oh; j++) {
    const float *wt = cy->w + (size_t)j * cy->taps;
    float *t = tmp + (size_t)j * w;
    memset(t, 0, sizeof(float) * w);
    for (int k = 0; k < cy->count[j]; k++) {
      const uint8_t *r = src + (size_t)(cy->lo[j] + k) * w;
      const float wk = wt[k];
      for (int x = 0; x < w; x++) t[x] += wk * r[x];
    }
  }
  for (int j = 0; j < oh; j += ROWS) {
    const int rows = oh - j < ROWS ? oh - j : ROWS;
    for (int x = 0; x < w; x++)
      for (int r = 0; r < ROWS; r++) cols[x * ROWS + r] = r < rows ? tmp[(size_t)(j + r) * w + x] : 0;
    for (int i = 0; i < ow; i++) {
      const float *wt = cx->w + (size_t)i * cx->taps, *p = cols + (size_t)cx->lo[i] * ROWS;
      float s[ROWS] = {0};
      for (int k = 0; k < cx->count[i]; k++)
        for (int r = 0; r < ROWS; r++) s[r] += wt[k] * p[k * ROWS + r];
      for (int r = 0; r < rows; r++) {
        const float v = s[r] + 0.5f;
        dst[(size_t)(j + r) * ow + i] = v <= 0 ? 0 : v >= 255 ? 255 : (uint8_t)v;
      }
    }
  }
  free(tmp);
  free(cols);
  return 0;
}

int resize_bicubic(const uint8_t *src, int w, int h, int ch, uint8_t *dst, int ow, int oh) {
  Coeffs cx = {0}, cy = {0};
  float *tmp = NULL, *acc = NULL;
  int rc = -1;
  if (coeffs_make(&cx, w, ow) || coeffs_make(&cy, h, oh)) goto done;
  if (ch == 1) {
    rc = resize_grey(src, w, h, dst, ow, oh, &cx, &cy);
    goto done;
  }
  const size_t row = (size_t)ow * ch;
  tmp = malloc(sizeof(float) * row * h); // [h, ow, ch]
  acc = malloc(sizeof(float) * row);     // [ow, ch]
  if (!tmp || !acc) goto done;
  for (int y = 0; y < h; y++) {
    const uint8_t *r = src + (size_t)y * w * ch;
    float *t = tmp + (size_t)y * row;
    for (int i = 0; i < ow; i++) {
      const float *wt = cx.w + (size_t)i * cx.taps;
      const uint8_t *p = r + (size_t)cx.lo[i] * ch;
      for (int c = 0; c < ch; c++) {
        float s = 0;
        for (int k = 0; k < cx.count[i]; k++) s += wt[k] * p[k * ch + c];
        t[i * ch + c] = s;
      }
    }
  }
  for (int j = 0; j < oh; j++) {
    const float *wt = cy.w + (size_t)j * cy.taps;
    memset(acc, 0, sizeof(float) * row);
    for (int k = 0; k < cy.count[j]; k++) {
      const float *t = tmp + (size_t)(cy.lo[j] + k) * row;
      const float wk = wt[k];
      for (size_t i = 0; i < row; i++) acc[i] += wk * t[i];
    }
    uint8_t *d = dst + (size_t)j * row;
    for (size_t i = 0; i < row; i++) {
      const float v = acc[i] + 0.5f;
      d[i] = v <= 0 ? 0 : v >= 255 ? 255 : (uint8_t)v;
    }
  }
  rc = 0;
done:
  coeffs_free(&cx);
  coeffs_free(&cy);
  free(tmp);
  free(acc);
  return rc;
}
