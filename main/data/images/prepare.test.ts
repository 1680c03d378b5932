import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeStoredImage, imageToTensorData } from './pixels';
import { encodePng } from './png';
import { fitInside, ImageError, JPEG_QUALITY, prepareImage, THUMBNAIL_SIZE } from './prepare';
import { jpegSize } from './sniff';

const gradient = (w: number, h: number, c: 1 | 3) =>
  Uint8Array.from({ length: w * h * c }, (_, i) => (i * 5) % 256);

function withTextChunk(png: Uint8Array, text: string): Uint8Array {
  const body = Buffer.from(`Author\0${text}`, 'latin1');
  const chunk = Buffer.alloc(12 + body.length);
  chunk.writeUInt32BE(body.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  body.copy(chunk, 8);
  chunk.writeUInt32BE(0, 8 + body.length); // CRC not checked by the stripper; the chunk is removed
  return Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)]);
}

function bmp24(w: number, h: number, rgb: Uint8Array): Uint8Array {
  const stride = Math.ceil((w * 3) / 4) * 4;
  const out = Buffer.alloc(54 + stride * h);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(w, 18);
  out.writeInt32LE(h, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const src = (y * w + x) * 3;
      const dst = 54 + (h - 1 - y) * stride + x * 3;
      out[dst] = rgb[src + 2]!;
      out[dst + 1] = rgb[src + 1]!;
      out[dst + 2] = rgb[src]!;
    }
  }
  return out;
}

describe('prepareImage', () => {
  it('strips PNG text chunks and JPEG EXIF, keeping the pixels', async () => {
    const png = withTextChunk(encodePng(200, 150, 1, gradient(200, 150, 1)), 'Doe^John 1957');
    const p = await prepareImage({ kind: 'bytes', name: 'a.png', bytes: png });
    expect(Buffer.from(p.bytes).includes('Doe^John')).toBe(false);
    expect([p.width, p.height, p.mime]).toEqual([200, 150, 'image/png']);
    expect(p.thumbnail).not.toBeNull();
    const jpeg = await sharp(gradient(300, 200, 3), { raw: { width: 300, height: 200, channels: 3 } })
      .jpeg()
      .withExif({ IFD0: { Artist: 'Doe^John', ImageDescription: 'MRN-884422' } })
      .toBuffer();
    expect(jpeg.includes('MRN-884422')).toBe(true);
    const j = await prepareImage({ kind: 'bytes', name: 'b.jpg', bytes: jpeg });
    expect(Buffer.from(j.bytes).includes('MRN-884422')).toBe(false);
    expect((await sharp(j.bytes).raw().toBuffer()).equals(await sharp(jpeg).raw().toBuffer())).toBe(true);
  });

  it('converts TIFF and BMP to PNG with the same pixels', async () => {
    const rgb = gradient(20, 10, 3);
    const tiff = await sharp(rgb, { raw: { width: 20, height: 10, channels: 3 } })
      .tiff({ compression: 'lzw' })
      .toBuffer();
    const t = await prepareImage({ kind: 'bytes', name: 'x.tif', bytes: tiff });
    expect(t.mime).toBe('image/png');
    expect((await sharp(t.bytes).raw().toBuffer()).equals(Buffer.from(rgb))).toBe(true);
    const b = await prepareImage({ kind: 'bytes', name: 'x.bmp', bytes: bmp24(20, 10, rgb) });
    expect((await sharp(b.bytes).raw().toBuffer()).equals(Buffer.from(rgb))).toBe(true);
    expect(b.hash).toBe(t.hash); // same pixels, same normalised bytes, same content hash
  });

  it('rejects truncated images and non-images with the file name', async () => {
    const jpeg = await sharp(gradient(300, 200, 3), { raw: { width: 300, height: 200, channels: 3 } })
      .jpeg()
      .toBuffer();
    await expect(
      prepareImage({ kind: 'bytes', name: 'cut.jpg', bytes: jpeg.subarray(0, 2000) }),
    ).rejects.toThrowError(/^cannot be decoded \(/);
    // Under the thumbnail size and kept as it is: still fully decoded, so still refused.
    const small = await sharp(gradient(100, 80, 3), { raw: { width: 100, height: 80, channels: 3 } })
      .jpeg()
      .toBuffer();
    await expect(
      prepareImage({ kind: 'bytes', name: 'small.jpg', bytes: small.subarray(0, small.length - 400) }),
    ).rejects.toThrowError(/^cannot be decoded \(/);
    await expect(
      prepareImage({ kind: 'bytes', name: 'n.jpg', bytes: deflateSync('hello') }),
    ).rejects.toThrowError(ImageError);
    await expect(prepareImage({ kind: 'file', path: '/nonexistent/x.png' })).rejects.toMatchObject({
      kind: 'missing',
    });
  });

  it('turns stored bytes into normalised model input', async () => {
    const png = encodePng(4, 4, 1, new Uint8Array(16).fill(255));
    const t = await imageToTensorData(png, 8, 'half');
    expect(t.data).toHaveLength(8 * 8 * 3);
    expect(t.data.every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
    const raw = await decodeStoredImage(encodePng(3, 2, 1, Uint8Array.from([1, 2, 3, 4, 5, 6])));
    expect(raw).toMatchObject({ width: 3, height: 2, channels: 1 });
    expect([...raw.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('stores a downscaled JPEG as sharp would, with a thumbnail as the earlier code made it', async () => {
    // A grey film-like 1,000 x 1,200 JPEG with grain (MIMIC-CXR-shaped, smaller).
    const [w, h] = [1000, 1200];
    const px = Uint8Array.from({ length: w * h }, (_, i) => 120 + ((i % w) >> 3) / 2 + ((i * 7919) % 13));
    const src = await sharp(px, { raw: { width: w, height: h, channels: 1 } })
      .jpeg({ quality: 95 })
      .toBuffer();
    const p = await prepareImage({ kind: 'bytes', name: 'cxr.jpg', bytes: src }, { maxSide: 480 });
    // The stored pixels: the one-pipeline shrink-on-load + bicubic + q92 encode's, within a grey
    // level on average (the native path, native-jpeg.test.ts; sharp's own bytes where it is not used).
    const expected = await sharp(src).resize(fitInside(480)).jpeg({ quality: JPEG_QUALITY }).toBuffer();
    const [got, want] = await Promise.all(
      [p.bytes, expected].map((b) => sharp(b).raw().toBuffer({ resolveWithObject: true })),
    );
    expect([got!.info.width, got!.info.height]).toEqual([want!.info.width, want!.info.height]);
    let diff = 0;
    for (let i = 0; i < got!.data.length; i++) diff += Math.abs(got!.data[i]! - want!.data[i]!);
    expect(diff / got!.data.length).toBeLessThan(1);
    expect([p.width, p.height, p.mime]).toEqual([400, 480, 'image/jpeg']);
    // The thumbnail (WebP effort 0) against the earlier code's (effort 4) of the same stored image.
    const before = await sharp(p.bytes)
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 70 })
      .toBuffer();
    const [a, b] = await Promise.all(
      [p.thumbnail!, before].map((t) => sharp(t).raw().toBuffer({ resolveWithObject: true })),
    );
    expect([a!.info.width, a!.info.height]).toEqual([b!.info.width, b!.info.height]);
    let sum = 0;
    for (let i = 0; i < a!.data.length; i++) sum += Math.abs(a!.data[i]! - b!.data[i]!);
    expect(sum / a!.data.length).toBeLessThan(2.5);
  });

  it('reads a JPEG size from its frame header as sharp does', async () => {
    const rgb = gradient(37, 23, 3);
    for (const opts of [{}, { progressive: true }]) {
      const jpeg = await sharp(rgb, { raw: { width: 37, height: 23, channels: 3 } })
        .jpeg(opts)
        .withExif({ IFD0: { Artist: 'x' } })
        .toBuffer();
      const md = await sharp(jpeg).metadata();
      expect(jpegSize(jpeg)).toEqual({ width: md.width, height: md.height });
      expect(jpegSize(jpeg.subarray(0, 40))).toBeNull(); // cut before the frame header
    }
    expect(jpegSize(Uint8Array.from([0xff, 0xd8, 0x00, 0x01, 0, 0, 0, 0, 0, 0]))).toBeNull();
  });
});
