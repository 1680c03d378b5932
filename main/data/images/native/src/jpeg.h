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
  int own; // 1 where our own decoder (fastjpeg.c) read the file, 0 where libjpeg-turbo did
} JpegOut;

// NULL when TurboJPEG is loaded, else why not (the library name and dlerror's words).
const char *jpeg_unavailable(void);

// 0: done; 1: not handled here (CMYK/YCCK, or already no larger than `side`): use another path;
// -1: libjpeg-turbo refused the file (the reason in err, warnings included). `own`: one grey
// component decoded at 1/4 or 1/8 by fastjpeg.c where it takes the file (0: libjpeg-turbo alone).
int jpeg_downscale(const uint8_t *src, size_t n, int side, int quality, int thumb_side, int own, JpegOut *out,
                   char *err, size_t errlen);

// A grey JPEG's samples at scale 1/d (1, 2, 4 or 8) into *out (free with free), by our own
// decoder (`own`) or libjpeg-turbo's, for comparing them. 0: decoded; 1: not a grey JPEG, or
// `own` and our decoder does not take it; -1: libjpeg-turbo refused it (err).
int jpeg_scaled_grey(const uint8_t *src, size_t n, int d, int own, uint8_t **out, int *w, int *h, char *err,
                     size_t errlen);

void jpeg_free(JpegOut *out);

#endif
