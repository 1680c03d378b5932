// The import's own decoder for the common case of a large medical JPEG: baseline (or extended
// sequential) Huffman, 8-bit, one grey component (MIMIC-CXR's films), decoded straight to 1/4 or
// 1/8 scale. Its output equals libjpeg-turbo's scaled decode (the same reduced IDCTs, jidctred.c,
// in the same integer arithmetic); what it does not do, or any irregularity in the file, it
// leaves to TurboJPEG, which then decodes the file or names its problem.
#ifndef BIOMED_FASTJPEG_H
#define BIOMED_FASTJPEG_H
#include <stddef.h>
#include <stdint.h>

// Decodes `src` at scale 1/d (d = 4 or 8) into `out`, [ceil(h/d), ceil(w/d)] grey samples, where
// w x h is the frame size (the caller read it from the header). 0: decoded; 1: not handled here
// (another kind of JPEG, a size other than w x h, or anything irregular): nothing is promised of
// `out`, decode it with libjpeg-turbo.
int fastjpeg_grey_scaled(const uint8_t *src, size_t n, int w, int h, int d, uint8_t *out);

#endif
