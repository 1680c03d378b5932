#include "im2col.h"

#include <string.h>

void bg_im2col(const bg_conv *g, const float *x, float *cols) {
  const long c = g->in_c, run = g->k_w * c;
  for (long b = 0; b < g->batch; b++) {
    for (long oh = 0; oh < g->out_h; oh++) {
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
}

void bg_col2im(const bg_conv *g, const float *dcols, float *dx) {
  const long c = g->in_c;
  memset(dx, 0, sizeof(float) * g->batch * g->in_h * g->in_w * c);
  for (long b = 0; b < g->batch; b++) {
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
