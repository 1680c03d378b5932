#include "fastjpeg.h"

#ifdef _WIN32
// The native JPEG path is not built for Windows (jpeg.c); nothing calls this there.
int fastjpeg_grey_scaled(const uint8_t *src, size_t n, int w, int h, int d, uint8_t *out) { return 1; }
#else
#include <stdlib.h>
#include <string.h>

// Huffman codes up to FAST_BITS long are decoded by one table lookup (`look`); AC symbols with
// their value bits, one or two at a time, where they fit in FAST_BITS (`pair`).
#define FAST_BITS 11
#define GROUP 5  // lookups per refill: 5 x FAST_BITS <= 56
#define TAIL 512 // zero bytes past the data: reads of a corrupt block stay inside

static const uint8_t natural[64] = {0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,
                                    12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6,  7,  14, 21, 28,
                                    35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
                                    58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

typedef struct {
  uint8_t counts[17]; // codes of each length 1-16
  uint8_t vals[256];
  int defined;
} HuffSpec;

typedef struct {
  int32_t maxcode[18]; // largest code of each length, -1 where none (jdhuff.c's maxcode)
  int32_t valoff[17];
  uint8_t vals[256];
  uint16_t look[1 << FAST_BITS];   // length << 8 | symbol; 0: a longer code
  uint64_t pair[1 << FAST_BITS]; // one or two AC symbols with their values (see pair_entry); 0: use `look`
} Huff;

// A pair entry: the first symbol's value (bits 48-63), the second's (32-47), both lengths with
// their value bits (0-5: a shift count as it stands), the first's alone (6-10), the first's
// advance (its run, or 64 for EOB; 11-17), the second's (18-24), 1 where there is a second (25).
#define P_LEN(e) ((int)((e) & 63))
#define P_LEN1(e) ((int)(((e) >> 6) & 31))
#define P_RUN1(e) ((int)(((e) >> 11) & 127))
#define P_RUN2(e) ((int)(((e) >> 18) & 127))
#define P_TWO(e) ((int)(((e) >> 25) & 1))
#define P_VAL1(e) ((int32_t)((int64_t)(e) >> 48))
#define P_VAL2(e) ((int32_t)(int16_t)((e) >> 32))

// Reads the scan's data once unstuffed (unstuff()): `buf` holds the next bits, most significant
// first; the `bits` counted are followed in `buf` by more of the data (or zeros), so a refill may
// OR the next eight bytes over them (a branchless refill to 56-63 bits).
typedef struct {
  uint64_t buf;
  int bits;
  const uint8_t *p;
} Bits;

static inline uint64_t be64(const uint8_t *p) {
  uint64_t w;
  memcpy(&w, p, 8);
  return __builtin_bswap64(w);
}

static inline void refill(Bits *b) {
  b->buf |= be64(b->p) >> b->bits;
  b->p += (63 - b->bits) >> 3;
  b->bits |= 56;
}

// The bit position reached, from the start of the unstuffed data.
static inline size_t bit_pos(const Bits *b, const uint8_t *base) { return (size_t)(b->p - base) * 8 - b->bits; }

static inline uint32_t take_bits(Bits *b, int n) { // n 1-16, after a refill
  const uint32_t v = (uint32_t)(b->buf >> (64 - n));
  b->buf <<= n;
  b->bits -= n;
  return v;
}

// The value of `s` bits `v` (JPEG's EXTEND).
static inline int extend(uint32_t v, int s) { return v < (1u << (s - 1)) ? (int)v - (1 << s) + 1 : (int)v; }

// The symbol whose code begins the `avail` bits `v` (most significant first) and its length; -1
// where no code of at most `avail` bits does.
static int canon(const int32_t *maxcode, const int32_t *valoff, const uint8_t *vals, uint32_t v, int avail,
                 int *len) {
  for (int l = 1; l <= avail; l++) {
    const int32_t code = (int32_t)(v >> (avail - l));
    if (maxcode[l] >= 0 && code <= maxcode[l]) {
      *len = l;
      return vals[(code + valoff[l]) & 255];
    }
  }
  return -1;
}

// What the FAST_BITS bits `pat` decode to: one AC symbol with its value bits, and a second where
// it fits too (an EOB ends the block: no second). 0: the first does not fit.
static uint64_t pair_entry(const Huff *t, uint32_t pat) {
  int l1, l2;
  const int s1 = canon(t->maxcode, t->valoff, t->vals, pat, FAST_BITS, &l1);
  if (s1 < 0 || l1 + (s1 & 15) > FAST_BITS) return 0;
  int size = s1 & 15, run = s1 >> 4;
  int len1 = l1 + size, v1 = 0, run1 = size ? run : run == 15 ? 15 : 64;
  if (size) v1 = extend((pat >> (FAST_BITS - len1)) & ((1u << size) - 1), size);
  uint64_t e = (uint64_t)(uint16_t)v1 << 48 | (uint64_t)len1 | (uint64_t)len1 << 6 | (uint64_t)run1 << 11;
  const int rest = FAST_BITS - len1;
  if (run1 == 64 || rest < 2) return e;
  const uint32_t v = pat & ((1u << rest) - 1);
  const int s2 = canon(t->maxcode, t->valoff, t->vals, v, rest, &l2);
  if (s2 < 0 || l2 + (s2 & 15) > rest) return e;
  size = s2 & 15;
  run = s2 >> 4;
  const int len2 = l2 + size, run2 = size ? run : run == 15 ? 15 : 64;
  const int v2 = size ? extend((v >> (rest - len2)) & ((1u << size) - 1), size) : 0;
  return (uint64_t)(uint16_t)v1 << 48 | (uint64_t)(uint16_t)v2 << 32 | (uint64_t)(len1 + len2) |
         (uint64_t)len1 << 6 | (uint64_t)run1 << 11 | (uint64_t)run2 << 18 | 1ull << 25;
}

// A Huffman table from its DHT counts and symbols; -1 where the counts are impossible.
static int build(const HuffSpec *spec, int is_ac, Huff *t) {
  uint32_t code = 0;
  int k = 0;
  memset(t->look, 0, sizeof t->look);
  memset(t->pair, 0, sizeof t->pair);
  memcpy(t->vals, spec->vals, sizeof t->vals);
  for (int len = 1; len <= 16; len++) {
    t->valoff[len] = k - (int32_t)code;
    for (int i = 0; i < spec->counts[len]; i++, k++, code++) {
      const int sym = spec->vals[k];
      if (!is_ac && sym > 15) return -1;
      if (len > FAST_BITS) continue;
      const int span = 1 << (FAST_BITS - len);
      for (int j = 0; j < span; j++) {
        const uint32_t pat = (code << (FAST_BITS - len)) | (uint32_t)j;
        t->look[pat] = (uint16_t)(len << 8 | sym);
      }
    }
    t->maxcode[len] = spec->counts[len] ? (int32_t)code - 1 : -1;
    if (code >= (1u << len)) return -1; // as jdhuff.c: a code of all ones is not allowed
    code <<= 1;
  }
  t->maxcode[17] = 0x7FFFFFFF;
  if (k > 256) return -1;
  if (is_ac)
    for (uint32_t pat = 0; pat < (1u << FAST_BITS); pat++) t->pair[pat] = pair_entry(t, pat);
  return 0;
}

// A code longer than FAST_BITS (or any, for a table without fast entries); -1: no such code.
static int decode_slow(Bits *b, const Huff *t) {
  const uint32_t peek = (uint32_t)(b->buf >> 48);
  for (int len = 1; len <= 16; len++) {
    const int32_t code = (int32_t)(peek >> (16 - len));
    if (t->maxcode[len] >= 0 && code <= t->maxcode[len]) {
      b->buf <<= len;
      b->bits -= len;
      return t->vals[(code + t->valoff[len]) & 255];
    }
  }
  return -1;
}

static inline int decode(Bits *b, const Huff *t) {
  const uint16_t e = t->look[b->buf >> (64 - FAST_BITS)];
  if (e) {
    b->buf <<= e >> 8;
    b->bits -= e >> 8;
    return e & 255;
  }
  return decode_slow(b, t);
}

// The sample of an IDCT output x: x + 128 clamped to 0-255, as libjpeg-turbo's SIMD 2x2 IDCT
// saturates, or through its C code's range-limit table (1x1, which has no SIMD code): the same
// within +-384, which valid data never leaves; beyond, the table wraps.
static inline uint8_t limit(int x) { return x < -128 ? 0 : x > 127 ? 255 : (uint8_t)(x + 128); }
static inline uint8_t limit_table(int x) {
  const int i = x & 1023;
  return i < 128 ? (uint8_t)(i + 128) : i < 512 ? 255 : i < 896 ? 0 : (uint8_t)(i - 896);
}

#define DESCALE(x, n) (((x) + (1 << ((n) - 1))) >> (n))

// The coefficients the reduced IDCTs read are kept in a compact block [5, 8]: rows and columns
// 0, 1, 3, 5, 7 of the 8 x 8 block as 0-4 (columns 5-7 of each row unused, zero), and DUMMY past
// them for the rest.
#define DUMMY 40

// jidctred.c's jpeg_idct_2x2 on dequantized coefficients `c` [5, 8]: out[0], out[1] one row,
// out[stride], out[stride + 1] the next. In 32-bit lanes, which are exact (and agree with
// libjpeg-turbo's SIMD code, in 16-bit lanes) while every coefficient is within +-2048: valid
// 8-bit data stays within about +-1,150. -1 (nothing written) where one is not: a damaged file.
static inline int idct_2x2(const int32_t *c, uint8_t *out, int stride) {
  int32_t big = 0;
  for (int i = 0; i < 40; i++) big |= (c[i] + 2048) & ~4095;
  if (big) return -1;
  int32_t w0[8], w1[8];
  for (int i = 0; i < 8; i++) { // pass 1: the columns (lanes 5-7 unused)
    const int32_t t10 = c[i] * 32768;
    const int32_t t0 = c[32 + i] * -5906 + c[24 + i] * 6967 + c[16 + i] * -10426 + c[8 + i] * 29692;
    w0[i] = (t10 + t0 + 4096) >> 13;
    w1[i] = (t10 - t0 + 4096) >> 13;
  }
  for (int r = 0; r < 2; r++) { // pass 2: the rows
    const int32_t *w = r ? w1 : w0, t10 = w[0] * 32768;
    const int32_t t0 = w[4] * -5906 + w[3] * 6967 + w[2] * -10426 + w[1] * 29692;
    out[r * stride] = limit((t10 + t0 + (1 << 19)) >> 20);
    out[r * stride + 1] = limit((t10 - t0 + (1 << 19)) >> 20);
  }
  return 0;
}

static inline int u16(const uint8_t *p) { return p[0] << 8 | p[1]; }

typedef struct {
  int w, h, comp_id, tq, td, ta, restart;
  uint16_t quant[4][64]; // natural order
  int quant_defined[4];
  HuffSpec dc[4], ac[4];
  const uint8_t *scan; // the entropy-coded data
} Header;

// The markers up to the scan; -1 where this is not a file decoded here.
static int parse(const uint8_t *src, size_t n, Header *hd) {
  const uint8_t *p = src, *end = src + n;
  int have_frame = 0;
  if (n < 4 || p[0] != 0xFF || p[1] != 0xD8) return -1;
  p += 2;
  for (;;) {
    while (p < end && *p == 0xFF && p + 1 < end && p[1] == 0xFF) p++; // fill bytes
    if (end - p < 4 || p[0] != 0xFF) return -1;
    const int marker = p[1], len = u16(p + 2);
    const uint8_t *seg = p + 4, *next = p + 2 + len;
    if (len < 2 || next > end) return -1;
    if (marker == 0xC0 || marker == 0xC1) { // baseline, extended sequential Huffman
      if (len < 8 || seg[0] != 8 || seg[5] != 1 || len != 8 + 3 * seg[5]) return -1;
      hd->h = u16(seg + 1);
      hd->w = u16(seg + 3);
      hd->comp_id = seg[6];
      const int hs = seg[7] >> 4, vs = seg[7] & 15;
      hd->tq = seg[8];
      if (hd->w == 0 || hd->h == 0 || hs < 1 || hs > 4 || vs < 1 || vs > 4 || hd->tq > 3) return -1;
      have_frame = 1;
    } else if (marker == 0xC4) { // DHT: one table or more
      const uint8_t *q = seg;
      while (q < next) {
        if (next - q < 17) return -1;
        const int cls = q[0] >> 4, id = q[0] & 15;
        if (cls > 1 || id > 3) return -1;
        HuffSpec *s = cls ? &hd->ac[id] : &hd->dc[id];
        int total = 0;
        for (int i = 1; i <= 16; i++) total += s->counts[i] = q[i];
        if (total > 256 || next - q < 17 + total) return -1;
        memset(s->vals, 0, sizeof s->vals);
        memcpy(s->vals, q + 17, (size_t)total);
        s->defined = 1;
        q += 17 + total;
      }
    } else if (marker == 0xDB) { // DQT
      const uint8_t *q = seg;
      while (q < next) {
        const int prec = q[0] >> 4, id = q[0] & 15, size = prec ? 128 : 64;
        if (prec > 1 || id > 3 || next - q < 1 + size) return -1;
        for (int i = 0; i < 64; i++) hd->quant[id][natural[i]] = prec ? (uint16_t)u16(q + 1 + 2 * i) : q[1 + i];
        hd->quant_defined[id] = 1;
        q += 1 + size;
      }
    } else if (marker == 0xDD) { // DRI
      if (len != 4) return -1;
      hd->restart = u16(seg);
    } else if (marker == 0xDA) { // SOS: one component, the whole spectrum, no approximation
      if (!have_frame || len != 8 || seg[0] != 1 || seg[1] != hd->comp_id) return -1;
      hd->td = seg[2] >> 4;
      hd->ta = seg[2] & 15;
      if (seg[3] != 0 || seg[4] != 63 || seg[5] != 0 || hd->td > 3 || hd->ta > 3) return -1;
      hd->scan = next;
      return 0;
    } else if ((marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE) { // APPn, COM
      // libjpeg warns of a JFIF header whose major version is not 1 (and TurboJPEG then refuses)
      if (marker == 0xE0 && len >= 16 && !memcmp(seg, "JFIF", 5) && seg[5] != 1) return -1;
    } else
      return -1; // progressive, lossless, arithmetic, hierarchical, or out of place
    p = next;
  }
}

// Copies the entropy-coded data from `p` without its byte stuffing (0xFF 0x00 is 0xFF) into
// `u`, noting where each restart interval ends (ends[i], bytes into `u`; RSTn markers in order),
// up to the EOI. The number of intervals, or -1 where the scan is followed by anything but EOI
// (another scan, DNL), a marker is out of order or `max` intervals are exceeded.
static long unstuff(const uint8_t *p, const uint8_t *end, uint8_t *u, size_t *ends, long max) {
  uint8_t *o = u;
  long count = 0;
  for (;;) {
    const uint8_t *ff = memchr(p, 0xFF, (size_t)(end - p));
    if (!ff) return -1; // no EOI
    memcpy(o, p, (size_t)(ff - p));
    o += ff - p;
    p = ff;
    while (end - p >= 2 && p[1] == 0xFF) p++; // fill bytes before a marker
    if (end - p < 2) return -1;
    const int m = p[1];
    p += 2;
    if (m == 0x00) {
      *o++ = 0xFF;
      continue;
    }
    if (count == max) return -1;
    ends[count++] = (size_t)(o - u);
    if (m == 0xD9) return count;
    if (m != 0xD0 + ((count - 1) & 7)) return -1;
  }
}

int fastjpeg_grey_scaled(const uint8_t *src, size_t n, int w, int h, int d, uint8_t *out) {
  if (d != 4 && d != 8) return 1;
  Header *hd = calloc(1, sizeof *hd);
  Huff *dc = malloc(sizeof *dc), *ac = malloc(sizeof *ac);
  int rc = 1;
  const int s = 8 / d;           // samples per block side
  const int bw = (w + 7) / 8, bh = (h + 7) / 8;
  const int pw = bw * s;         // the padded row
  uint8_t *pad = NULL, *u = NULL; // pad: [bh * s, pw]
  size_t *ends = NULL;
  if (!hd || !dc || !ac || parse(src, n, hd) || hd->w != w || hd->h != h) goto done;
  if (!hd->quant_defined[hd->tq] || !hd->dc[hd->td].defined || !hd->ac[hd->ta].defined) goto done;
  for (int i = 0; i < 64; i++) // libjpeg-turbo keeps quantisers as 16-bit signed values
    if (hd->quant[hd->tq][i] > 32767) goto done;
  if (build(&hd->dc[hd->td], 0, dc) || build(&hd->ac[hd->ta], 1, ac)) goto done;
  // Where each zigzag position's coefficient goes: its compact index if the reduced IDCT reads it
  // (rows and columns 0, 1, 3, 5, 7 at 1/4; the DC alone at 1/8), else DUMMY. A position past 63
  // (a run past the block's end) is coefficient 63, as jdhuff.c's guard entries make it (an EOB's
  // advance lands there too, with a zero, after every nonzero coefficient of the block).
  uint8_t zz[192];
  static const int8_t compact[8] = {0, 1, -1, 2, -1, 3, -1, 4};
  for (int k = 0; k < 192; k++) {
    const int nat = natural[k < 64 ? k : 63], r = compact[nat / 8], c = compact[nat % 8];
    const int use = d == 8 ? nat == 0 : r >= 0 && c >= 0;
    zz[k] = use ? (uint8_t)(r * 8 + c) : DUMMY;
  }
  // The quantiser of each zigzag position (DUMMY's 0), so a coefficient is dequantized as stored.
  int32_t qz[192];
  for (int k = 0; k < 192; k++) qz[k] = zz[k] == DUMMY ? 0 : hd->quant[hd->tq][natural[k < 64 ? k : 63]];
  int32_t blk[48]; // dequantized coefficients, compact [5, 8]; [DUMMY] takes the rest
  memset(blk, 0, sizeof blk);
  // The data unstuffed, with room past its end for a corrupt block's reads (zeros: at most 64
  // codes of 31 bits past the last check).
  const long blocks = (long)bw * bh, intervals = hd->restart ? (blocks + hd->restart - 1) / hd->restart : 1;
  // Each block takes two bits at least, each restart two bytes: more is a damaged or hostile file.
  if (blocks / 4 > (long)n || intervals > (long)n / 2 + 1) goto done;
  pad = malloc((size_t)pw * bh * s);
  u = malloc((size_t)(src + n - hd->scan) + TAIL);
  ends = malloc(sizeof *ends * (size_t)intervals);
  if (!pad || !u || !ends || unstuff(hd->scan, src + n, u, ends, intervals) != intervals) goto done;
  memset(u + ends[intervals - 1], 0, TAIL);
  long interval = 0, togo = hd->restart ? hd->restart : blocks;
  Bits b = {0, 0, u};
  size_t limit_bits = ends[0] * 8;
  int pred = 0;
  for (int by = 0; by < bh; by++) {
    for (int bx = 0; bx < bw; bx++) {
      if (togo == 0) { // the interval used its bits, all but the padding to a byte
        const size_t at = bit_pos(&b, u);
        if (at > limit_bits || limit_bits - at >= 8) goto done;
        b = (Bits){0, 0, u + ends[interval]};
        limit_bits = ends[++interval] * 8;
        pred = 0;
        togo = hd->restart;
      }
      togo--;
      refill(&b);
      const int t = decode(&b, dc); // DC: the difference's size, then its bits
      if (t < 0) goto done;
      if (t) pred += extend(take_bits(&b, t), t);
      if (pred > (1 << 20) || pred < -(1 << 20)) goto done; // corrupt: left to libjpeg-turbo
      blk[0] = (int16_t)pred * qz[0];
      // AC: groups of GROUP lookups after one refill (each takes at most FAST_BITS bits; a
      // longer code refills before and after it), so refills stay off the lookups' path.
      int k = 1;
      for (;;) {
        refill(&b);
#pragma GCC unroll 5
        for (int g = 0; g < GROUP; g++) {
          const uint64_t e = ac->pair[b.buf >> (64 - FAST_BITS)];
          if (e) {
            k += P_RUN1(e);
            blk[zz[k]] = P_VAL1(e) * qz[k];
            k++;
            if (k >= 64) { // the block ends here; what follows is the next block's
              b.buf <<= P_LEN1(e);
              b.bits -= P_LEN1(e);
              goto block_end;
            }
            b.buf <<= P_LEN(e);
            b.bits -= P_LEN(e);
            k += P_RUN2(e);
            blk[zz[k]] = P_VAL2(e) * qz[k];
            k += P_TWO(e);
            if (k >= 64) goto block_end;
            continue;
          }
          refill(&b);
          const int rs = decode(&b, ac);
          if (rs < 0) goto done;
          const int r = rs >> 4, sz = rs & 15;
          if (sz == 0) { // EOB or ZRL with a code longer than FAST_BITS
            if (r != 15) goto block_end;
            k += 16;
          } else {
            k += r;
            blk[zz[k]] = (int16_t)extend(take_bits(&b, sz), sz) * qz[k];
            k++;
          }
          if (k >= 64) goto block_end;
          refill(&b);
        }
      }
    block_end:
      if (bit_pos(&b, u) > limit_bits) goto done; // the block used bits past its interval's data
      uint8_t *o = pad + (size_t)by * s * pw + (size_t)bx * s;
      if (d == 8) {
        *o = limit_table(DESCALE(blk[0], 3));
        blk[0] = 0;
      } else {
        if (idct_2x2(blk, o, pw)) goto done; // left to libjpeg-turbo
        memset(blk, 0, 40 * sizeof *blk);
      }
    }
  }
  {
    const size_t at = bit_pos(&b, u);
    if (at > limit_bits || limit_bits - at >= 8) goto done;
  }
  const int sw = (w + d - 1) / d, sh = (h + d - 1) / d;
  for (int y = 0; y < sh; y++) memcpy(out + (size_t)y * sw, pad + (size_t)y * pw, (size_t)sw);
  rc = 0;
done:
  free(pad);
  free(u);
  free(ends);
  free(hd);
  free(dc);
  free(ac);
  return rc;
}
#endif
