/* Single-pass elementwise and row kernels for the single-threaded tfjs wasm backend (wasm simd128),
 * on the tfjs module's own memory (imported), as wasm-ops.ts calls them: GELU and its gradient,
 * AdamW over one weight, label-smoothed cross-entropy, LayerNorm (optionally after a residual add),
 * training BatchNorm (NHWC), each forward and backward. Built by ../wasm-gemm/build.sh beside the
 * GEMM. No data segments, no stack (build.sh checks both): scratch memory is passed in.
 * Statistics (LayerNorm/BatchNorm mean and variance, their gradients' sums, the cross-entropy's
 * sum of exponentials) accumulate in double precision as the JS kernels do; the elementwise parts
 * run in float32. AdamW runs in double precision and rounds on store, exactly as adamwArrays. */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name))) name

typedef v128_t V;
#define F(x) wasm_f32x4_splat(x)
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul
#ifdef WF_RELAXED
#define MADD(a, b, c) ((v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(c)))
#else
#define MADD(a, b, c) ADD(MUL((a), (b)), (c))
#endif

/* Lanes [0, k) of p (k in 1..3), the rest 0: tails without reading past the end. */
static inline V load_n(const float *p, int32_t k) {
  V v = F(0.f);
  v = wasm_f32x4_replace_lane(v, 0, p[0]);
  if (k > 1) v = wasm_f32x4_replace_lane(v, 1, p[1]);
  if (k > 2) v = wasm_f32x4_replace_lane(v, 2, p[2]);
  return v;
}

static inline void store_n(float *p, V v, int32_t k) {
  p[0] = wasm_f32x4_extract_lane(v, 0);
  if (k > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (k > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

static inline V load_k(const float *p, int32_t k) { return k == 4 ? wasm_v128_load(p) : load_n(p, k); }
static inline void store_k(float *p, V v, int32_t k) {
  if (k == 4) wasm_v128_store(p, v);
  else store_n(p, v, k);
}

/* e^x (Cephes expf: x = n ln2 + r, |r| <= ln2 / 2, degree-5 polynomial; ~1 ulp); 0 below
 * ln(FLT_MIN), clamped above 88.37; NaN stays NaN. pmin/pmax (one x64 instruction each, unlike
 * min/max) and n rounded by the 1.5 * 2^23 trick (its bits give 2^n without a conversion). */
static inline V vexp(V x) {
  const V lo = F(-87.33654f);
  V xc = wasm_f32x4_pmin(wasm_f32x4_pmax(x, lo), F(88.37626f));
  V t = ADD(MUL(xc, F(1.44269504088896341f)), F(12582912.f));
  V n = SUB(t, F(12582912.f));
  V r = SUB(xc, MUL(n, F(0.693359375f)));
  r = SUB(r, MUL(n, F(-2.12194440e-4f)));
  V p = F(1.9875691500e-4f);
  p = MADD(p, r, F(1.3981999507e-3f));
  p = MADD(p, r, F(8.3334519073e-3f));
  p = MADD(p, r, F(4.1665795894e-2f));
  p = MADD(p, r, F(1.6666665459e-1f));
  p = MADD(p, r, F(5.0000001201e-1f));
  p = ADD(ADD(MUL(MUL(p, r), r), r), F(1.f));
  /* bits(t) = 0x4B400000 + n for |n| < 2^22 */
  V scale = wasm_i32x4_shl(wasm_i32x4_add(t, wasm_i32x4_splat(127 - 0x4B400000)), 23);
  return wasm_v128_andnot(MUL(p, scale), wasm_f32x4_lt(x, lo));
}

/* 1 + erf(z) with erf as tfjs' Erf kernels and the engine's WebGPU GELU compute it (Abramowitz and
 * Stegun 7.1.26: |error| < 1.5e-7), so GELU agrees across backends to float32 rounding; e2 gets
 * e^(-z^2), the same exponential (the gradient's Gaussian). */
static inline V one_plus_erf(V z, V *e2) {
  V az = wasm_f32x4_abs(z);
  V t = wasm_f32x4_div(F(1.f), MADD(F(0.3275911f), az, F(1.f)));
  V p = F(1.061405429f);
  p = MADD(p, t, F(-1.453152027f));
  p = MADD(p, t, F(1.421413741f));
  p = MADD(p, t, F(-0.284496736f));
  p = MADD(p, t, F(0.254829592f));
  V e = vexp(wasm_f32x4_neg(MUL(az, az)));
  *e2 = e;
  V y = SUB(F(1.f), MUL(MUL(p, t), e));
  return wasm_v128_bitselect(ADD(F(1.f), y), SUB(F(1.f), y), wasm_f32x4_ge(z, F(0.f)));
}

#define SQRT1_2 0.70710678118654752f
#define INV_SQRT_2PI 0.39894228040143268f

static inline V gelu4(V x) {
  V e2;
  return MUL(MUL(x, F(0.5f)), one_plus_erf(MUL(x, F(SQRT1_2)), &e2));
}

static inline V gelu_grad4(V dy, V x) {
  V e2;
  V b = one_plus_erf(MUL(x, F(SQRT1_2)), &e2);
  return MUL(dy, ADD(MUL(F(0.5f), b), MUL(MUL(x, e2), F(INV_SQRT_2PI))));
}

/* y = x / 2 (1 + erf(x / sqrt 2)), n floats. */
void EXPORT(bw_gelu)(const float *x, float *y, int32_t n) {
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, gelu4(wasm_v128_load(x + i)));
  if (i < n) store_n(y + i, gelu4(load_n(x + i, n - i)), n - i);
}

/* dx = dy (Phi(x) + x phi(x)) = dy ((1 + erf(x / sqrt 2)) / 2 + x e^(-x^2 / 2) / sqrt(2 pi)). */
void EXPORT(bw_gelu_grad)(const float *dy, const float *x, float *dx, int32_t n) {
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dx + i, gelu_grad4(wasm_v128_load(dy + i), wasm_v128_load(x + i)));
  if (i < n) store_n(dx + i, gelu_grad4(load_n(dy + i, n - i), load_n(x + i, n - i)), n - i);
}

/* One AdamW update of n floats, in double precision rounded on store: the arithmetic of
 * adamwArrays (adamw-fused.ts) operation for operation, so the same bits. m, v null: zeros.
 * Scalars already rounded to float32 by the caller. */
static inline void adamw_one(const float *p, const float *g, const float *m, const float *v, float *op,
                             float *om, float *ov, int32_t i, double b1, double c1, double b2, double c2,
                             double eps, double decay, double step, double scale) {
  const double gi = (double)g[i] * scale;
  const double mi = (m ? (double)m[i] * b1 : 0.0) + gi * c1;
  const double vi = (v ? (double)v[i] * b2 : 0.0) + gi * gi * c2;
  const double pi = p[i];
  om[i] = (float)mi;
  ov[i] = (float)vi;
  op[i] = (float)(pi - pi * decay - (mi / (__builtin_sqrt(vi) + eps)) * step);
}

#define PLO(v) wasm_f64x2_promote_low_f32x4(v)
#define PHI(v) wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle((v), (v), 2, 3, 0, 1))
#define DEMOTE2(lo, hi)                                                                    \
  wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5)

void EXPORT(bw_adamw)(const float *p, const float *g, const float *m, const float *v, float *op, float *om,
                      float *ov, int32_t n, double b1, double c1, double b2, double c2, double eps,
                      double decay, double step, double scale) {
  const V vb1 = wasm_f64x2_splat(b1), vc1 = wasm_f64x2_splat(c1), vb2 = wasm_f64x2_splat(b2),
          vc2 = wasm_f64x2_splat(c2), veps = wasm_f64x2_splat(eps), vdecay = wasm_f64x2_splat(decay),
          vstep = wasm_f64x2_splat(step), vscale = wasm_f64x2_splat(scale), z = wasm_f64x2_splat(0.0);
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    V gv = wasm_v128_load(g + i), pv = wasm_v128_load(p + i);
    V mv = m ? wasm_v128_load(m + i) : F(0.f), vv = v ? wasm_v128_load(v + i) : F(0.f);
    V outm[2], outv[2], outp[2];
    for (int h = 0; h < 2; h++) {
      V gi = wasm_f64x2_mul(h ? PHI(gv) : PLO(gv), vscale);
      V mi = wasm_f64x2_add(m ? wasm_f64x2_mul(h ? PHI(mv) : PLO(mv), vb1) : z, wasm_f64x2_mul(gi, vc1));
      V vi = wasm_f64x2_add(v ? wasm_f64x2_mul(h ? PHI(vv) : PLO(vv), vb2) : z,
                            wasm_f64x2_mul(wasm_f64x2_mul(gi, gi), vc2));
      V pi = h ? PHI(pv) : PLO(pv);
      V upd = wasm_f64x2_mul(wasm_f64x2_div(mi, wasm_f64x2_add(wasm_f64x2_sqrt(vi), veps)), vstep);
      outm[h] = mi;
      outv[h] = vi;
      outp[h] = wasm_f64x2_sub(wasm_f64x2_sub(pi, wasm_f64x2_mul(pi, vdecay)), upd);
    }
    wasm_v128_store(om + i, DEMOTE2(outm[0], outm[1]));
    wasm_v128_store(ov + i, DEMOTE2(outv[0], outv[1]));
    wasm_v128_store(op + i, DEMOTE2(outp[0], outp[1]));
  }
  for (; i < n; i++) adamw_one(p, g, m, v, op, om, ov, i, b1, c1, b2, c2, eps, decay, step, scale);
}

/* Sum of the two lanes of an f64x2. */
static inline double hsum2(V a) { return wasm_f64x2_extract_lane(a, 0) + wasm_f64x2_extract_lane(a, 1); }

/* Sum of the four lanes of an f32x4, in double (exact for the 0/1 mask counts). */
static inline double hsum4(V a) {
  return (double)wasm_f32x4_extract_lane(a, 0) + wasm_f32x4_extract_lane(a, 1) + wasm_f32x4_extract_lane(a, 2) +
         wasm_f32x4_extract_lane(a, 3);
}

/* Adds floats [0, k) of x (k in 1..4) to the f64x2 pair (lo, hi), widened. */
#define ACC64(lo, hi, xv)                 \
  do {                                    \
    (lo) = wasm_f64x2_add((lo), PLO(xv)); \
    (hi) = wasm_f64x2_add((hi), PHI(xv)); \
  } while (0)

/* sum_i x_i^2 over n floats, in double (each square exact), two lanes x two accumulators. */
double EXPORT(bw_sum_squares)(const float *x, int32_t n) {
  V a0 = wasm_f64x2_splat(0.0), a1 = a0;
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    V xv = wasm_v128_load(x + i);
    V lo = PLO(xv), hi = PHI(xv);
    a0 = wasm_f64x2_add(a0, wasm_f64x2_mul(lo, lo));
    a1 = wasm_f64x2_add(a1, wasm_f64x2_mul(hi, hi));
  }
  double s = hsum2(a0) + hsum2(a1);
  for (; i < n; i++) s += (double)x[i] * x[i];
  return s;
}

/* out[j] = sum_r x[r cols + j], accumulated in row order in float32: per element the additions of
 * wasm-sum.ts' sumLeadingRows, so the same bits. */
void EXPORT(bw_sum_rows)(const float *x, int32_t rows, int32_t cols, float *out) {
  for (int32_t j = 0; j < cols; j++) out[j] = 0.f;
  for (int32_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    int32_t j = 0;
    for (; j + 8 <= cols; j += 8) {
      wasm_v128_store(out + j, ADD(wasm_v128_load(out + j), wasm_v128_load(xr + j)));
      wasm_v128_store(out + j + 4, ADD(wasm_v128_load(out + j + 4), wasm_v128_load(xr + j + 4)));
    }
    for (; j < cols; j++) out[j] += xr[j];
  }
}

/* LayerNorm over rows of d floats: y = (s - mean) rstd gamma + beta, s = x (+ r when r is not
 * null: s = x + r is stored to s), rstd = 1 / sqrt(var + eps) with the biased variance; mean and
 * rstd of row k at mean[k * stride], rstd[k * stride]. Statistics in double (two passes over the
 * row), the output in float32. */
void EXPORT(bw_layer_norm)(const float *x, const float *r, float *s, const float *gamma, const float *beta,
                           float *y, float *mean, float *rstd, int32_t stride, int32_t rows, int32_t d,
                           double eps) {
  for (int32_t row = 0; row < rows; row++) {
    const float *xr = x + row * d;
    if (r) {
      float *sr = s + row * d;
      const float *rr = r + row * d;
      for (int32_t j = 0; j < d; j += 4) {
        const int32_t k = d - j < 4 ? d - j : 4;
        store_k(sr + j, ADD(load_k(xr + j, k), load_k(rr + j, k)), k);
      }
      xr = sr;
    }
    V lo = wasm_f64x2_splat(0.0), hi = lo;
    for (int32_t j = 0; j < d; j += 4) ACC64(lo, hi, load_k(xr + j, d - j < 4 ? d - j : 4));
    const double mu = (hsum2(lo) + hsum2(hi)) / d;
    const V vmu = wasm_f64x2_splat(mu);
    lo = hi = wasm_f64x2_splat(0.0);
    int32_t j = 0;
    for (; j + 4 <= d; j += 4) {
      V xv = wasm_v128_load(xr + j);
      V a = wasm_f64x2_sub(PLO(xv), vmu), b = wasm_f64x2_sub(PHI(xv), vmu);
      lo = wasm_f64x2_add(lo, wasm_f64x2_mul(a, a));
      hi = wasm_f64x2_add(hi, wasm_f64x2_mul(b, b));
    }
    double var = hsum2(lo) + hsum2(hi);
    for (; j < d; j++) {
      const double c = xr[j] - mu;
      var += c * c;
    }
    const double rs = 1.0 / __builtin_sqrt(var / d + eps);
    const V fm = F((float)mu), fr = F((float)rs);
    float *yr = y + row * d;
    for (j = 0; j < d; j += 4) {
      const int32_t k = d - j < 4 ? d - j : 4;
      V xh = MUL(SUB(load_k(xr + j, k), fm), fr);
      store_k(yr + j, ADD(MUL(xh, load_k(gamma + j, k)), load_k(beta + j, k)), k);
    }
    mean[row * stride] = (float)mu;
    rstd[row * stride] = (float)rs;
  }
}

/* LayerNorm's gradient: dx = rstd (g - mean(g) - xhat mean(g xhat)) (+ ds when ds is not null),
 * g = dy gamma; dgamma = sum_rows dy xhat, dbeta = sum_rows dy. acc: 2 d doubles of scratch. */
void EXPORT(bw_layer_norm_grad)(const float *dy, const float *x, const float *mean, const float *rstd,
                                int32_t stride, const float *gamma, const float *ds, float *dx, float *dgamma,
                                float *dbeta, double *acc, int32_t rows, int32_t d) {
  double *dg = acc, *db = acc + d;
  for (int32_t j = 0; j < 2 * d; j++) acc[j] = 0.0;
  for (int32_t row = 0; row < rows; row++) {
    const float *xr = x + row * d, *dyr = dy + row * d;
    const V fm = F(mean[row * stride]), fr = F(rstd[row * stride]);
    V sg0 = wasm_f64x2_splat(0.0), sg1 = sg0, sx0 = sg0, sx1 = sg0;
    int32_t j = 0;
    for (; j < d; j += 4) {
      const int32_t k = d - j < 4 ? d - j : 4;
      V xh = MUL(SUB(load_k(xr + j, k), fm), fr);
      V dyv = load_k(dyr + j, k);
      V g = MUL(dyv, load_k(gamma + j, k));
      ACC64(sg0, sg1, g);
      ACC64(sx0, sx1, MUL(g, xh));
      V dxh = MUL(dyv, xh);
      if (k == 4) {
        wasm_v128_store(dg + j, wasm_f64x2_add(wasm_v128_load(dg + j), PLO(dxh)));
        wasm_v128_store(dg + j + 2, wasm_f64x2_add(wasm_v128_load(dg + j + 2), PHI(dxh)));
        wasm_v128_store(db + j, wasm_f64x2_add(wasm_v128_load(db + j), PLO(dyv)));
        wasm_v128_store(db + j + 2, wasm_f64x2_add(wasm_v128_load(db + j + 2), PHI(dyv)));
      } else {
        for (int32_t q = 0; q < k; q++) {
          dg[j + q] += (double)dyr[j + q] * ((xr[j + q] - mean[row * stride]) * rstd[row * stride]);
          db[j + q] += dyr[j + q];
        }
      }
    }
    const V mg = F((float)((hsum2(sg0) + hsum2(sg1)) / d));
    const V mgx = F((float)((hsum2(sx0) + hsum2(sx1)) / d));
    float *dxr = dx + row * d;
    const float *dsr = ds ? ds + row * d : 0;
    for (j = 0; j < d; j += 4) {
      const int32_t k = d - j < 4 ? d - j : 4;
      V xh = MUL(SUB(load_k(xr + j, k), fm), fr);
      V g = MUL(load_k(dyr + j, k), load_k(gamma + j, k));
      V out = MUL(fr, SUB(SUB(g, mg), MUL(xh, mgx)));
      if (dsr) out = ADD(load_k(dsr + j, k), out);
      store_k(dxr + j, out, k);
    }
  }
  for (int32_t j = 0; j < d; j++) {
    dgamma[j] = (float)dg[j];
    dbeta[j] = (float)db[j];
  }
}

/* Adds x (widened, squared too when sq) into the doubles acc[0..c) over rows of c floats. */
static inline void column_sums(const float *x, double *acc, double *acc2, int32_t rows, int32_t c) {
  for (int32_t row = 0; row < rows; row++) {
    const float *xr = x + row * c;
    int32_t j = 0;
    for (; j + 4 <= c; j += 4) {
      V xv = wasm_v128_load(xr + j);
      V a = PLO(xv), b = PHI(xv);
      wasm_v128_store(acc + j, wasm_f64x2_add(wasm_v128_load(acc + j), a));
      wasm_v128_store(acc + j + 2, wasm_f64x2_add(wasm_v128_load(acc + j + 2), b));
      wasm_v128_store(acc2 + j, wasm_f64x2_add(wasm_v128_load(acc2 + j), wasm_f64x2_mul(a, a)));
      wasm_v128_store(acc2 + j + 2, wasm_f64x2_add(wasm_v128_load(acc2 + j + 2), wasm_f64x2_mul(b, b)));
    }
    for (; j < c; j++) {
      const double v = xr[j];
      acc[j] += v;
      acc2[j] += v * v;
    }
  }
}

/* BatchNorm's running statistics, float32 operation for operation as batch-norm-running.ts' tf ops
 * (Multiply by a float32 scalar, Add): m' = rm a + mean b, v' = rv a + (var k) b. */
void EXPORT(bw_bn_running)(const float *rm, const float *rv, const float *mean, const float *var, float *om,
                           float *ov, int32_t c, float k, float a, float b) {
  for (int32_t j = 0; j < c; j++) {
    om[j] = rm[j] * a + mean[j] * b;
    ov[j] = rv[j] * a + (var[j] * k) * b;
  }
}

/* Training BatchNorm over rows of c channels (NHWC): mean and biased variance per channel in double
 * (one pass: sum and sum of squares), y = (x - mean) scale + beta in float32, scale = rstd gamma
 * (not x scale + shift: that cancels where the mean is large against the spread). acc: 2 c doubles
 * + c floats of scratch. */
void EXPORT(bw_batch_norm)(const float *x, const float *gamma, const float *beta, float *y, float *mean,
                           float *variance, double *acc, int32_t rows, int32_t c, double eps) {
  double *s = acc, *s2 = acc + c;
  float *scale = (float *)(acc + 2 * c);
  for (int32_t j = 0; j < 2 * c; j++) acc[j] = 0.0;
  column_sums(x, s, s2, rows, c);
  for (int32_t j = 0; j < c; j++) {
    const double mu = s[j] / rows;
    double var = s2[j] / rows - mu * mu;
    if (!(var > 0.0)) var = var < 0.0 ? 0.0 : var; /* rounding below 0; NaN stays NaN */
    const double rs = 1.0 / __builtin_sqrt(var + eps);
    mean[j] = (float)mu;
    variance[j] = (float)var;
    scale[j] = (float)(rs * gamma[j]);
  }
  for (int32_t row = 0; row < rows; row++) {
    const float *xr = x + row * c;
    float *yr = y + row * c;
    for (int32_t j = 0; j < c; j += 4) {
      const int32_t k = c - j < 4 ? c - j : 4;
      V xc = SUB(load_k(xr + j, k), load_k(mean + j, k));
      store_k(yr + j, ADD(MUL(xc, load_k(scale + j, k)), load_k(beta + j, k)), k);
    }
  }
}

/* BatchNorm's gradient: dx = gamma rstd (dy - sum(dy) / rows - xhat sum(dy xhat) / rows),
 * dgamma = sum_rows dy xhat, dbeta = sum_rows dy. acc: 2 c doubles + 4 c floats of scratch. */
void EXPORT(bw_batch_norm_grad)(const float *dy, const float *x, const float *mean, const float *variance,
                                const float *gamma, float *dx, float *dgamma, float *dbeta, double *acc,
                                int32_t rows, int32_t c, double eps) {
  double *sdy = acc, *sdyx = acc + c;
  float *rs = (float *)(acc + 2 * c), *k1 = rs + c, *k2 = k1 + c, *k3 = k2 + c;
  for (int32_t j = 0; j < 2 * c; j++) acc[j] = 0.0;
  for (int32_t j = 0; j < c; j++) rs[j] = (float)(1.0 / __builtin_sqrt((double)variance[j] + eps));
  for (int32_t row = 0; row < rows; row++) {
    const float *xr = x + row * c, *dyr = dy + row * c;
    int32_t j = 0;
    for (; j + 4 <= c; j += 4) {
      V xh = MUL(SUB(wasm_v128_load(xr + j), wasm_v128_load(mean + j)), wasm_v128_load(rs + j));
      V dyv = wasm_v128_load(dyr + j);
      V p = MUL(dyv, xh);
      wasm_v128_store(sdy + j, wasm_f64x2_add(wasm_v128_load(sdy + j), PLO(dyv)));
      wasm_v128_store(sdy + j + 2, wasm_f64x2_add(wasm_v128_load(sdy + j + 2), PHI(dyv)));
      wasm_v128_store(sdyx + j, wasm_f64x2_add(wasm_v128_load(sdyx + j), PLO(p)));
      wasm_v128_store(sdyx + j + 2, wasm_f64x2_add(wasm_v128_load(sdyx + j + 2), PHI(p)));
    }
    for (; j < c; j++) {
      const float xh = (xr[j] - mean[j]) * rs[j];
      sdy[j] += dyr[j];
      sdyx[j] += (double)(dyr[j] * xh);
    }
  }
  for (int32_t j = 0; j < c; j++) {
    k1[j] = (float)(gamma[j] * (double)rs[j]);
    k2[j] = (float)(sdy[j] / rows);
    k3[j] = (float)(sdyx[j] / rows);
    dgamma[j] = (float)sdyx[j];
    dbeta[j] = (float)sdy[j];
  }
  for (int32_t row = 0; row < rows; row++) {
    const float *xr = x + row * c, *dyr = dy + row * c;
    float *dxr = dx + row * c;
    for (int32_t j = 0; j < c; j += 4) {
      const int32_t k = c - j < 4 ? c - j : 4;
      V xh = MUL(SUB(load_k(xr + j, k), load_k(mean + j, k)), load_k(rs + j, k));
      V inner = SUB(SUB(load_k(dyr + j, k), load_k(k2 + j, k)), MUL(xh, load_k(k3 + j, k)));
      store_k(dxr + j, MUL(load_k(k1 + j, k), inner), k);
    }
  }
}

/* z where allowed (or no mask), z - 1e9 where the mask is 0 (as label-smoothed-ce.ts masks). */
static inline V masked(const float *z, const float *allowed, int32_t j, int32_t k) {
  V zv = load_k(z + j, k);
  if (!allowed) return zv;
  return ADD(zv, MUL(SUB(load_k(allowed + j, k), F(1.f)), F(1e9f)));
}

/* Zeroes a row of v floats whose target is pad (returns 1), else leaves it (0). */
static inline int zero_if_pad(float *row, int is_pad, int32_t v) {
  if (is_pad)
    for (int32_t j = 0; j < v; j++) row[j] = 0.f;
  return is_pad;
}

/* Label-smoothed cross-entropy forward over rows of v logits: p = softmax (of the masked logits),
 * 0 on rows whose target is pad; per row stats[4 r ..] = (sum_j e_j, sum_j a_j x_j, sum_j a_j,
 * x_t), x = masked logit - max, e = exp(x) (the caller takes the logarithm). */
void EXPORT(bw_lsce_forward)(const float *z, const int32_t *targets, const float *allowed, int32_t pad,
                             float *p, double *stats, int32_t rows, int32_t v) {
  for (int32_t r = 0; r < rows; r++) {
    float *pr = p + r * v;
    if (zero_if_pad(pr, targets[r] == pad, v)) continue;
    const float *zr = z + r * v, *ar = allowed ? allowed + r * v : 0;
    const int32_t t = targets[r];
    V mx = F(-__builtin_inff());
    for (int32_t j = 0; j < v; j += 4) {
      const int32_t k = v - j < 4 ? v - j : 4;
      V x = masked(zr, ar, j, k);
      if (k < 4) x = wasm_v128_bitselect(x, F(-__builtin_inff()), wasm_i32x4_lt(wasm_i32x4_make(0, 1, 2, 3), wasm_i32x4_splat(k)));
      mx = wasm_f32x4_max(mx, x);
    }
    float m = wasm_f32x4_extract_lane(mx, 0);
    for (int q = 1; q < 4; q++) {
      const float l = q == 1 ? wasm_f32x4_extract_lane(mx, 1) : q == 2 ? wasm_f32x4_extract_lane(mx, 2) : wasm_f32x4_extract_lane(mx, 3);
      m = l > m || l != l ? l : m;
    }
    const V vm = F(m);
    V s0 = wasm_f64x2_splat(0.0), s1 = s0, w0 = s0, w1 = s0;
    V cnt = F(0.f);
    for (int32_t j = 0; j < v; j += 4) {
      const int32_t k = v - j < 4 ? v - j : 4;
      V x = SUB(masked(zr, ar, j, k), vm);
      V e = vexp(x);
      store_k(pr + j, e, k);
      if (k < 4) {
        V keep = wasm_i32x4_lt(wasm_i32x4_make(0, 1, 2, 3), wasm_i32x4_splat(k));
        e = wasm_v128_and(e, keep);
        x = wasm_v128_and(x, keep);
      }
      ACC64(s0, s1, e);
      if (ar) {
        V a = load_k(ar + j, k);
        ACC64(w0, w1, MUL(a, x));
        cnt = ADD(cnt, a);
      } else {
        ACC64(w0, w1, x);
      }
    }
    const double sum = hsum2(s0) + hsum2(s1);
    const V inv = wasm_f64x2_splat(1.0 / sum);
    int32_t j = 0;
    for (; j + 4 <= v; j += 4) { /* e / sum in double, rounded once (as the JS loop) */
      V e = wasm_v128_load(pr + j);
      wasm_v128_store(pr + j, DEMOTE2(wasm_f64x2_mul(PLO(e), inv), wasm_f64x2_mul(PHI(e), inv)));
    }
    for (; j < v; j++) pr[j] = (float)(pr[j] * (1.0 / sum));
    const double count = ar ? hsum4(cnt) : v;
    const float zt = ar && ar[t] == 0.f ? zr[t] - 1e9f : zr[t];
    stats[4 * r] = sum;
    stats[4 * r + 1] = hsum2(w0) + hsum2(w1);
    stats[4 * r + 2] = count;
    stats[4 * r + 3] = (double)(zt - m);
  }
}

/* Its gradient from the saved softmax p and per-row upstream gradients dy:
 * dz_j = dy ((1 - eps - eps_i)(p_j - [j = t]) + eps_i (A p_j - a_j)), A = sum_j a_j,
 * eps_i = eps / max(A - 1, 1); 0 on pad rows. */
void EXPORT(bw_lsce_backward)(const float *dy, const float *p, const int32_t *targets, const float *allowed,
                              double eps, int32_t pad, float *dz, int32_t rows, int32_t v) {
  for (int32_t r = 0; r < rows; r++) {
    float *dr = dz + r * v;
    if (zero_if_pad(dr, targets[r] == pad, v)) continue;
    const float *pr = p + r * v, *ar = allowed ? allowed + r * v : 0;
    const int32_t t = targets[r];
    V cnt = F(0.f);
    if (ar)
      for (int32_t j = 0; j < v; j += 4) cnt = ADD(cnt, load_k(ar + j, v - j < 4 ? v - j : 4));
    const double count = ar ? hsum4(cnt) : v;
    const double epsI = eps > 0 ? eps / (count - 1 > 1 ? count - 1 : 1) : 0;
    const double g = dy[r];
    const double cNll = 1 - eps - epsI;
    /* in double, operation for operation as lsceBackward: g (cNll p + epsI (count p - a)) */
    const V vg = wasm_f64x2_splat(g), vc = wasm_f64x2_splat(cNll), ve = wasm_f64x2_splat(epsI),
            vn = wasm_f64x2_splat(count), one = wasm_f64x2_splat(1.0);
    int32_t j = 0;
    for (; j + 4 <= v; j += 4) {
      V pv = wasm_v128_load(pr + j), av = ar ? wasm_v128_load(ar + j) : F(1.f);
      V h[2];
      for (int q = 0; q < 2; q++) {
        V pj = q ? PHI(pv) : PLO(pv), a = ar ? (q ? PHI(av) : PLO(av)) : one;
        h[q] = wasm_f64x2_mul(vg, wasm_f64x2_add(wasm_f64x2_mul(vc, pj),
                                                 wasm_f64x2_mul(ve, wasm_f64x2_sub(wasm_f64x2_mul(vn, pj), a))));
      }
      wasm_v128_store(dr + j, DEMOTE2(h[0], h[1]));
    }
    for (; j < v; j++) {
      const double a = ar ? ar[j] : 1.0, pj = pr[j];
      dr[j] = (float)(g * (cNll * pj + epsI * (count * pj - a)));
    }
    dr[t] = (float)(dr[t] - g * cNll);
  }
}

/* MaxPool's gradient, NHWC: dx = 0, then each dy[b, oy, ox, c] added to dx at the first maximum
 * (row-major over the window, strictly greater, as tfjs' pooling finds it) of x's window
 * [oy sh - pt, + fh) x [ox sw - pl, + fw) clipped to the image; dy visited in row-major order, so
 * each dx element sums its contributions in the order tfjs' gradient does. */
void EXPORT(bw_max_pool_grad)(const float *x, const float *dy, float *dx, int32_t batch, int32_t h, int32_t w,
                              int32_t c, int32_t oh, int32_t ow, int32_t sh, int32_t sw, int32_t fh,
                              int32_t fw, int32_t pt, int32_t pl) {
  const int32_t n = batch * h * w * c;
  for (int32_t i = 0; i < n; i++) dx[i] = 0.f;
  for (int32_t b = 0; b < batch; b++) {
    const float *xb = x + b * h * w * c;
    float *dxb = dx + b * h * w * c;
    for (int32_t oy = 0; oy < oh; oy++) {
      const int32_t y0 = oy * sh - pt, y1 = y0 + fh;
      for (int32_t ox = 0; ox < ow; ox++) {
        const int32_t x0 = ox * sw - pl, x1 = x0 + fw;
        const float *g = dy + ((b * oh + oy) * ow + ox) * c;
        for (int32_t ch = 0; ch < c; ch++) {
          float best = -__builtin_inff();
          int32_t at = -1;
          for (int32_t yy = y0 < 0 ? 0 : y0; yy < (y1 > h ? h : y1); yy++)
            for (int32_t xx = x0 < 0 ? 0 : x0; xx < (x1 > w ? w : x1); xx++) {
              const int32_t k = (yy * w + xx) * c + ch;
              if (xb[k] > best) {
                best = xb[k];
                at = k;
              }
            }
          if (at >= 0) dxb[at] += g[ch];
        }
      }
    }
  }
}
