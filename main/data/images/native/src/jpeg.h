// JPEG downscaling through libjpeg-turbo's TurboJPEG library, loaded at run time (dlopen): the
// scaled decode (DCT scaling to 1/2, 1/4 or 1/8 when the target allows), the bicubic downscale
// (resize.c) and the encode, with no metadata. A missing library leaves sharp's path in use.
#ifndef BIOMED_JPEG_H
#define BIOMED_JPEG_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint8_t *jpeg; // the encoded image (free with jpeg_free)
  unsigned long jpeg_size;
  int width, height, channels;
  uint8_t *thumb; // [thumb_h, thumb_w, channels] raw pixels, or NULL (free with free)
  int thumb_w, thumb_h;
} JpegOut;

// NULL when TurboJPEG is loaded, else why not (the library name and dlerror's words).
const char *jpeg_unavailable(void);

// 0: done; 1: not handled here (CMYK/YCCK, or already no larger than `side`): use another path;
// -1: libjpeg-turbo refused the file (the reason in err, warnings included).
int jpeg_downscale(const uint8_t *src, size_t n, int side, int quality, int thumb_side, JpegOut *out,
                   char *err, size_t errlen);

void jpeg_free(JpegOut *out);

#endif
