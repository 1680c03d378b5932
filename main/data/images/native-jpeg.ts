// The native JPEG path (native/: libjpeg-turbo's TurboJPEG, loaded at run time): a large JPEG is
// decoded at 1/2, 1/4 or 1/8 scale, downscaled bicubic with antialiasing and re-encoded in one
// call. A grey film at 1/4 or 1/8 (MIMIC-CXR's) is decoded by our own decoder (native/src/
// fastjpeg.c: the same samples as libjpeg-turbo's, in ~60% of its time), the rest by libjpeg-turbo
// (bench/import-large.ts). Where the addon is not built or libturbojpeg.so.0 is absent, or
// `BIOMED_JPEG_DECODER=sharp`, sharp does it all; `BIOMED_JPEG_DECODER=turbojpeg` leaves every
// decode to libjpeg-turbo.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's path inside the project, from the root. */
export const NATIVE_IMAGE_FILE = join(
  'main',
  'data',
  'images',
  'native',
  'build',
  'Release',
  'biomed_image.node',
);

export interface NativeDownscaled {
  /** The JPEG, no metadata. */
  readonly jpeg: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  /** Raw pixels [thumbHeight, thumbWidth, channels] of the thumbnail; null when the image is no larger. */
  readonly thumb: Uint8Array | null;
  readonly thumbWidth: number;
  readonly thumbHeight: number;
  /** Which decoder read the file: our own (a grey film at 1/4 or 1/8) or libjpeg-turbo. */
  readonly decoder: 'own' | 'turbojpeg';
}

export interface ScaledGrey {
  readonly width: number;
  readonly height: number;
  /** [height, width] samples. */
  readonly pixels: Uint8Array;
}

interface NativeImageAddon {
  unavailable(): string | null;
  /**
   * null: not for this path (CMYK, or no larger than `side`); throws with libjpeg-turbo's words.
   * `own` (default true): a grey film at 1/4 or 1/8 by our own decoder where it takes the file.
   */
  downscale(
    src: Uint8Array,
    side: number,
    quality: number,
    thumbSide: number,
    own?: boolean,
  ): NativeDownscaled | null;
  /** The same on one of libuv's threads (as sharp runs), so the main thread's imports decode on every core. */
  downscaleAsync(
    src: Uint8Array,
    side: number,
    quality: number,
    thumbSide: number,
    own?: boolean,
  ): Promise<NativeDownscaled | null>;
  /**
   * A grey JPEG's samples at 1/`scale` by our own decoder (`own`) or libjpeg-turbo's, to compare
   * them; null: not grey, or our decoder does not take the file. Throws with libjpeg-turbo's words.
   */
  scaledGrey(src: Uint8Array, scale: 1 | 2 | 4 | 8, own: boolean): ScaledGrey | null;
}

/** Whether our own decoder may read grey films (`BIOMED_JPEG_DECODER=turbojpeg`: no). */
export function ownDecoder(): boolean {
  return process.env['BIOMED_JPEG_DECODER'] !== 'turbojpeg';
}

/** Where the addon may be: beside this source file, above the bundle (build/main), unpacked from the asar. */
function candidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const found = [join(here, 'native', 'build', 'Release', 'biomed_image.node')];
  let dir = here;
  for (let i = 0; i < 6; i++) {
    found.push(join(dir, NATIVE_IMAGE_FILE));
    dir = dirname(dir);
  }
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources) found.push(join(resources, 'app.asar.unpacked', NATIVE_IMAGE_FILE));
  return found;
}

let loaded: { addon: NativeImageAddon | null; reason: string } | undefined;

/** The native JPEG path, or null and why not (once per thread). */
export function nativeJpeg(): { addon: NativeImageAddon | null; reason: string } {
  if (loaded) return loaded;
  if (process.env['BIOMED_JPEG_DECODER'] === 'sharp') {
    loaded = { addon: null, reason: 'BIOMED_JPEG_DECODER=sharp' };
    return loaded;
  }
  const file = candidates().find((f) => existsSync(f));
  if (!file) {
    loaded = { addon: null, reason: 'the native image addon is not built (run `npm run build:native`)' };
    return loaded;
  }
  try {
    const mod = { exports: {} as Partial<NativeImageAddon> };
    process.dlopen(mod, file);
    const addon = mod.exports;
    if (
      typeof addon.downscale !== 'function' ||
      typeof addon.downscaleAsync !== 'function' ||
      typeof addon.scaledGrey !== 'function' ||
      typeof addon.unavailable !== 'function'
    ) {
      loaded = {
        addon: null,
        reason: `the native image addon at ${file} is out of date (run \`npm run build:native\`)`,
      };
    } else {
      const why = addon.unavailable();
      loaded = why ? { addon: null, reason: why } : { addon: addon as NativeImageAddon, reason: file };
    }
  } catch (err) {
    loaded = {
      addon: null,
      reason: `the native image addon at ${file} does not load: ${(err as Error).message}`,
    };
  }
  return loaded;
}

/**
 * Whether a JPEG's pixels mean the same to this path as to sharp: no embedded ICC profile (sharp
 * converts those to sRGB) and 8-bit baseline or progressive Huffman coding. Scans the markers up
 * to the first scan.
 */
export function plainJpeg(bytes: Uint8Array): boolean {
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return false;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xda) return true;
    const len = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    // APP2 "ICC_PROFILE"
    if (marker === 0xe2 && bytes[i + 4] === 0x49 && bytes[i + 5] === 0x43 && bytes[i + 6] === 0x43)
      return false;
    // SOF0-2 with 8-bit samples only (SOF3 lossless, SOF5+ hierarchical/arithmetic go to sharp)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      if (marker > 0xc2 || bytes[i + 4] !== 8) return false;
    i += 2 + len;
  }
  return false;
}
