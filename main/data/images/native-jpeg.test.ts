// The native JPEG path (native/, native-jpeg.ts) against sharp's pipeline it replaces: the same
// sizes, the same pixels within a grey level on average, no metadata, grey kept grey; and every
// file it does not take (CMYK, an ICC profile, 12-bit, truncated) left to sharp as before.
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { nativeJpeg, plainJpeg } from './native-jpeg';
import { fitInside, JPEG_QUALITY, prepareImage, THUMBNAIL_SIZE } from './prepare';

const { addon, reason } = nativeJpeg();

/** A film-like image with grain, [h, w, c]. */
function film(w: number, h: number, c: 1 | 3): Buffer {
  const px = Buffer.alloc(w * h * c);
  for (let i = 0; i < w * h; i++) {
    const [x, y] = [i % w, Math.floor(i / w)];
    for (let k = 0; k < c; k++) px[i * c + k] = 60 + ((x * (k + 1)) >> 4) + (y >> 5) + ((i * 7919 + k) % 11);
  }
  return px;
}

const jpeg = (w: number, h: number, c: 1 | 3, opts: { grey?: boolean; chroma?: '4:2:0' | '4:4:4' } = {}) => {
  const img = sharp(film(w, h, c), { raw: { width: w, height: h, channels: c } });
  return (opts.grey ? img.toColourspace('b-w') : img)
    .jpeg({ quality: 95, chromaSubsampling: opts.chroma ?? '4:2:0' })
    .toBuffer();
};

/** Components in a JPEG's frame header. */
function components(bytes: Uint8Array): number {
  for (let i = 2; i + 9 < bytes.length; i++)
    if (bytes[i] === 0xff && bytes[i + 1] === 0xc0) return bytes[i + 9]!;
  return -1;
}

async function pixels(bytes: Uint8Array) {
  return sharp(bytes).raw().toBuffer({ resolveWithObject: true });
}

function meanAbs(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

describe('the native JPEG path', () => {
  it('loads, with libturbojpeg (npm test installs libturbojpeg0)', () => {
    expect(addon, reason).not.toBeNull();
  });

  it.each([
    ['grey, 2,500 x 3,000 at 480 (1/4 scale)', 2500, 3000, 1, true, '4:2:0', 480],
    ['grey, 1,200 x 907 at 384 (1/2 scale)', 1200, 907, 1, true, '4:2:0', 384],
    ['colour 4:2:0, 1,601 x 1,199 at 480', 1601, 1199, 3, false, '4:2:0', 480],
    ['colour 4:4:4, 997 x 1,501 at 200 (1/4 scale)', 997, 1501, 3, false, '4:4:4', 200],
    ['grey, 3,000 x 600 at 64 (1/8 scale)', 3000, 600, 1, true, '4:2:0', 64],
  ] as const)(
    'stores %s as sharp would: sizes, pixels, thumbnail',
    async (_, w, h, c, grey, chroma, side) => {
      const src = await jpeg(w, h, c, { grey, chroma });
      expect(plainJpeg(src)).toBe(true);
      const p = await prepareImage({ kind: 'bytes', name: 'x.jpg', bytes: src }, { maxSide: side });
      const sync = addon!.downscale(src, side, JPEG_QUALITY, THUMBNAIL_SIZE)!;
      expect(Buffer.from(p.bytes).equals(sync.jpeg)).toBe(true);
      const async = await addon!.downscaleAsync(src, side, JPEG_QUALITY, THUMBNAIL_SIZE);
      expect(Buffer.from(async!.jpeg).equals(sync.jpeg)).toBe(true);
      expect(async!.thumb === null ? null : Buffer.from(async!.thumb)).toEqual(
        sync.thumb === null ? null : Buffer.from(sync.thumb),
      );
      const ref = await sharp(src).resize(fitInside(side)).jpeg({ quality: JPEG_QUALITY }).toBuffer();
      const [got, want] = await Promise.all([pixels(p.bytes), pixels(ref)]);
      expect([p.width, p.height]).toEqual([want.info.width, want.info.height]);
      expect([got.info.width, got.info.height]).toEqual([want.info.width, want.info.height]);
      // grey stays one component (sharp writes three); colour is 4:2:0 YCbCr, as sharp's
      expect(components(p.bytes)).toBe(grey ? 1 : 3);
      expect(meanAbs(got.data, want.data)).toBeLessThan(1.5);
      // the thumbnail: WebP, 128 px on the long side, from the stored pixels (none at 128 px or less)
      if (side <= THUMBNAIL_SIZE) expect(p.thumbnail).toBeNull();
      else {
        const t = await sharp(p.thumbnail!).metadata();
        expect([t.format, Math.max(t.width!, t.height!)]).toEqual(['webp', THUMBNAIL_SIZE]);
      }
    },
  );

  it('writes no metadata: EXIF, comments and the source ICC are not carried over', async () => {
    const src = await sharp(film(900, 700, 3), { raw: { width: 900, height: 700, channels: 3 } })
      .jpeg({ quality: 90 })
      .withExif({ IFD0: { Artist: 'Patient Name^Secret', ImageDescription: 'MRN 1234' } })
      .toBuffer();
    expect(src.includes('Secret')).toBe(true);
    expect(plainJpeg(src)).toBe(true);
    const out = addon!.downscale(src, 300, JPEG_QUALITY, THUMBNAIL_SIZE)!;
    const text = Buffer.from(out.jpeg).toString('latin1');
    expect(text.includes('Secret') || text.includes('MRN') || text.includes('Exif')).toBe(false);
    const p = await prepareImage({ kind: 'bytes', name: 'x.jpg', bytes: src }, { maxSide: 300 });
    expect(Buffer.from(p.bytes).toString('latin1').includes('Secret')).toBe(false);
  });

  it('leaves CMYK, ICC-profiled, 12-bit and small JPEGs to sharp, whose bytes they keep', async () => {
    const cmyk = await sharp(film(800, 600, 3), { raw: { width: 800, height: 600, channels: 3 } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer();
    expect(addon!.downscale(cmyk, 300, JPEG_QUALITY, THUMBNAIL_SIZE)).toBeNull();
    const icc = await sharp(film(800, 600, 3), { raw: { width: 800, height: 600, channels: 3 } })
      .withIccProfile('p3')
      .jpeg()
      .toBuffer();
    expect(plainJpeg(icc)).toBe(false);
    const p = await prepareImage({ kind: 'bytes', name: 'icc.jpg', bytes: icc }, { maxSide: 300 });
    const expected = await sharp(icc).resize(fitInside(300)).jpeg({ quality: JPEG_QUALITY }).toBuffer();
    expect(Buffer.from(p.bytes).equals(expected)).toBe(true);
    // a 12-bit frame header (SOF1, precision 12) is not for this path
    const twelve = Buffer.from(await jpeg(64, 64, 1, { grey: true }));
    const sof = twelve.indexOf(Buffer.from([0xff, 0xc0]));
    twelve[sof + 1] = 0xc1;
    twelve[sof + 4] = 12;
    expect(plainJpeg(twelve)).toBe(false);
    // no larger than the side: nothing to do here
    expect(addon!.downscale(await jpeg(200, 100, 1), 300, JPEG_QUALITY, THUMBNAIL_SIZE)).toBeNull();
  });

  it('refuses a truncated file with libjpeg-turbo words, and prepareImage still names it as before', async () => {
    const src = await jpeg(1600, 1200, 1, { grey: true });
    const cut = src.subarray(0, Math.floor(src.length / 2));
    expect(() => addon!.downscale(cut, 480, JPEG_QUALITY, THUMBNAIL_SIZE)).toThrowError(
      /premature end|corrupt/i,
    );
    await expect(addon!.downscaleAsync(cut, 480, JPEG_QUALITY, THUMBNAIL_SIZE)).rejects.toThrowError(
      /premature end|corrupt/i,
    );
    await expect(
      prepareImage({ kind: 'bytes', name: 'cut.jpg', bytes: cut }, { maxSide: 480 }),
    ).rejects.toThrowError(/^cannot be decoded \(/);
    expect(() => addon!.downscale(Buffer.from('not a jpeg'), 480, 90, 0)).toThrowError();
    expect(() => addon!.downscale(src, 0, 90, 0)).toThrowError(TypeError);
    expect(() => (addon!.downscale as (...a: unknown[]) => unknown)('x', 480, 90, 0)).toThrowError(TypeError);
  });

  it('says why it is not used when libturbojpeg does not load, and sharp then does the work', () => {
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        `const m={exports:{}};process.dlopen(m,process.argv[1]);console.log(m.exports.unavailable());` +
          `console.log(m.exports.downscale(Buffer.alloc(10),10,90,0))`,
        reason,
      ],
      { env: { ...process.env, BIOMED_TURBOJPEG: '/nonexistent/libturbojpeg.so.0' }, encoding: 'utf8' },
    );
    expect(r.stdout).toMatch(/^\/nonexistent\/libturbojpeg\.so\.0 does not load: .*\nnull\n$/);
  });
});
