/** A display window: grey levels `center ± width/2` are stretched over black..white. */
export interface DisplayWindow {
  readonly label: string;
  readonly center: number;
  readonly width: number;
}

/**
 * Presets on the stored 8-bit rendition of an image (DICOM files were windowed once at import
 * with their own window; these re-window what was kept, like a viewer's presets do on HU).
 */
export const WINDOW_PRESETS: readonly DisplayWindow[] = [
  { label: 'As stored', center: 127.5, width: 255 },
  { label: 'Soft tissue', center: 128, width: 110 },
  { label: 'Lung', center: 70, width: 140 },
  { label: 'Bone', center: 190, width: 120 },
  { label: 'Brain', center: 110, width: 80 },
];

/** A 256-entry lookup table mapping grey levels through a window (linear, clamped). */
export function windowLut(center: number, width: number): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256);
  const w = Math.max(1, width);
  const lo = center - w / 2;
  for (let v = 0; v < 256; v++) lut[v] = Math.round(((v - lo) / w) * 255);
  return lut;
}

/** Applies a window to RGBA pixels in place (each channel through the same table). */
export function applyWindow(pixels: Uint8ClampedArray, lut: Uint8ClampedArray): void {
  for (let i = 0; i < pixels.length; i += 4) {
    pixels[i] = lut[pixels[i]!]!;
    pixels[i + 1] = lut[pixels[i + 1]!]!;
    pixels[i + 2] = lut[pixels[i + 2]!]!;
  }
}
