/* im2col / col2im of NHWC convolutions (dilation 1), for the GEMM-based conv kernels; split over
 * `threads` when they write at least min_parallel floats (the same bits at any count). */
#ifndef BIOMED_IM2COL_H
#define BIOMED_IM2COL_H

typedef struct {
  long batch, in_h, in_w, in_c, out_h, out_w, k_h, k_w, stride_h, stride_w, pad_top, pad_left;
} bg_conv;

/* cols[(b, oh, ow), (kh, kw, c)] = x[b, oh*sh - pt + kh, ow*sw - pl + kw, c], 0 outside x. */
void bg_im2col(const bg_conv *g, const float *x, float *cols, int threads, double min_parallel);
/* dx = 0, then dx[b, h, w, c] += dcols[(b, oh, ow), (kh, kw, c)] in (b, oh, ow, kh, kw, c) order. */
void bg_col2im(const bg_conv *g, const float *dcols, float *dx, int threads, double min_parallel);

#endif
