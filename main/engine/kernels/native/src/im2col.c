/*
 * im2col / col2im, split over the native pool (rowops.h's bg_run_ranges) when big enough:
 * im2col by output rows (b, oh), col2im by images (each image's sums keep their order), so the
 * results are the same bits at any thread count.
 */
#include "im2col.h"

#include <string.h>

#include "rowops.h"

typedef struct {
  const bg_conv *g;
  const float *src;
  float *dst;
} lower_job;

/* Output rows r = b out_h + oh in [from, to). */
static void im2col_rows(void *ctx, long from, long to) {
  const lower_job *j = ctx;
  const bg_conv *g = j->g;
  const float *x = j->src;
  const long c = g->in_c, run = g->k_w * c;
  float *cols = j->dst + from * g->out_w * g->k_h * run;
  for (long r = from; r < to; r++) {
    const long b = r / g->out_h, oh = r % g->out_h;
    for (long ow = 0; ow < g->out_w; ow++) {
      const long w0 = ow * g->stride_w - g->pad_left;
      for (long kh = 0; kh < g->k_h; kh++) {
        const long h = oh * g->stride_h - g->pad_top + kh;
        if (h < 0 || h >= g->in_h) {
          memset(cols, 0, sizeof(float) * run);
        } else {
          const float *row = x + ((b * g->in_h + h) * g->in_w) * c;
          /* the kernel row's columns inside x are one contiguous run of x's row */
          long lo = -w0, hi = g->in_w - w0; /* kw in [lo, hi) lies inside x */
          lo = lo < 0 ? 0 : lo > g->k_w ? g->k_w : lo;
          hi = hi < lo ? lo : hi > g->k_w ? g->k_w : hi;
          memset(cols, 0, sizeof(float) * lo * c);
          memcpy(cols + lo * c, row + (w0 + lo) * c, sizeof(float) * (hi - lo) * c);
          memset(cols + hi * c, 0, sizeof(float) * (g->k_w - hi) * c);
        }
        cols += run;
      }
    }
  }
}

void bg_im2col(const bg_conv *g, const float *x, float *cols, int threads, double min_parallel) {
  lower_job j = {g, x, cols};
  const long rows = g->batch * g->out_h;
  const double floats = (double)rows * g->out_w * g->k_h * g->k_w * g->in_c;
  bg_run_ranges(rows, floats >= min_parallel ? threads : 1, 0, im2col_rows, &j);
}

/* Images [from, to). */
static void col2im_images(void *ctx, long from, long to) {
  const lower_job *j = ctx;
  const bg_conv *g = j->g;
  const long c = g->in_c, image = g->in_h * g->in_w * c;
  const float *dcols = j->src + from * g->out_h * g->out_w * g->k_h * g->k_w * c;
  float *dx = j->dst;
  memset(dx + from * image, 0, sizeof(float) * (to - from) * image);
  for (long b = from; b < to; b++) {
    for (long oh = 0; oh < g->out_h; oh++) {
      for (long ow = 0; ow < g->out_w; ow++) {
        for (long kh = 0; kh < g->k_h; kh++) {
          const long h = oh * g->stride_h - g->pad_top + kh;
          for (long kw = 0; kw < g->k_w; kw++) {
            const long w = ow * g->stride_w - g->pad_left + kw;
            if (h >= 0 && h < g->in_h && w >= 0 && w < g->in_w) {
              float *d = dx + ((b * g->in_h + h) * g->in_w + w) * c;
              for (long j = 0; j < c; j++) d[j] += dcols[j];
            }
            dcols += c;
          }
        }
      }
    }
  }
}

void bg_col2im(const bg_conv *g, const float *dcols, float *dx, int threads, double min_parallel) {
  lower_job j = {g, dcols, dx};
  const double floats = (double)g->batch * g->out_h * g->out_w * g->k_h * g->k_w * g->in_c;
  bg_run_ranges(g->batch, floats >= min_parallel ? threads : 1, 0, col2im_images, &j);
}
