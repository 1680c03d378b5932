// Bicubic downscale of 8-bit pixels with antialiasing (the kernel widened by the ratio, as PIL's
// and libvips' reduce): separable, horizontal pass to float rows, vertical pass rounded to 8 bits.
#ifndef BIOMED_RESIZE_H
#define BIOMED_RESIZE_H
#include <stdint.h>

// src [h, w, channels] -> dst [oh, ow, channels]. Returns 0, or -1 when out of memory.
int resize_bicubic(const uint8_t *src, int w, int h, int channels, uint8_t *dst, int ow, int oh);

#endif
