// Our own decoder of grey films (native/src/fastjpeg.c) against libjpeg-turbo's scaled decode it
// stands in for: the same samples, byte for byte, on every kind of file it takes; every other
// kind left to libjpeg-turbo; and on damaged files it never decodes what libjpeg-turbo refuses,
// nor differs where both decode.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp, { type JpegOptions } from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeJpeg } from './native-jpeg';
import { JPEG_QUALITY, THUMBNAIL_SIZE } from './prepare';

const { addon, reason } = nativeJpeg();
const dir = mkdtempSync(join(tmpdir(), 'bw-own-jpeg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A grey film [h, w]: a smooth field with grain (`grain` levels of noise), or pure noise. */
function film(w: number, h: number, grain: number, seed = 1): Buffer {
  const px = Buffer.alloc(w * h);
  let x = seed * 2654435761;
  for (let i = 0; i < w * h; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const [c, r] = [i % w, Math.floor(i / w)];
    const base = grain >= 256 ? 0 : 128 + 90 * Math.sin(c / 97) * Math.cos(r / 131);
    px[i] = Math.max(0, Math.min(255, Math.round(base + ((x >>> 16) % (grain + 1)) - grain / 2)));
  }
  return px;
}

const grey = (w: number, h: number, grain: number, jpeg: JpegOptions) =>
  sharp(film(w, h, grain), { raw: { width: w, height: h, channels: 1 } })
    .toColourspace('b-w')
    .jpeg(jpeg)
    .toBuffer();

/** jpegtran (libjpeg-turbo-progs) rewrites a JPEG losslessly: restart intervals, progressive, arithmetic. */
function jpegtran(src: Uint8Array, ...args: string[]): Buffer {
  const file = join(dir, 'in.jpg');
  writeFileSync(file, src);
  const r = spawnSync('jpegtran', [...args, file]);
  if (r.status !== 0) throw new Error(`jpegtran ${args.join(' ')}: ${r.stderr?.toString() || r.error}`);
  return r.stdout;
}

/** libjpeg-turbo's samples at 1/scale, or 'refused' where it throws (a warning counts). */
function turbo(src: Uint8Array, scale: 4 | 8) {
  try {
    return addon!.scaledGrey(src, scale, false);
  } catch {
    return 'refused' as const;
  }
}

function expectSame(src: Uint8Array, scale: 4 | 8) {
  const own = addon!.scaledGrey(src, scale, true);
  const ref = turbo(src, scale);
  expect(own, 'our decoder takes the file').not.toBeNull();
  expect(ref).not.toBe('refused');
  if (!own || !ref || ref === 'refused') return;
  expect([own.width, own.height]).toEqual([ref.width, ref.height]);
  expect(Buffer.from(own.pixels).equals(Buffer.from(ref.pixels))).toBe(true);
}

/** A deterministic generator (mulberry32). */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Whether libjpeg-turbo's header reader takes the file (scaledGrey throws where it does not). */
function headerReads(src: Uint8Array): boolean {
  try {
    addon!.scaledGrey(src, 8, true);
    return true;
  } catch {
    return false;
  }
}

/** Where the entropy-coded data of a JPEG's (first) scan starts. */
function scanStart(bytes: Uint8Array): number {
  const sos = Buffer.from(bytes).indexOf(Buffer.from([0xff, 0xda]));
  return sos + 2 + ((bytes[sos + 2]! << 8) | bytes[sos + 3]!);
}

describe("our own decoder of grey films (fastjpeg.c) against libjpeg-turbo's", () => {
  it('loads (npm test installs libturbojpeg0 and libjpeg-turbo-progs)', () => {
    expect(addon, reason).not.toBeNull();
    expect(spawnSync('jpegtran', ['-version']).status).toBe(0);
  });

  it.each([
    ['a MIMIC-sized film, q95', 2500, 3000, 8, { quality: 95 }],
    ['an odd size (partial blocks), q75', 1001, 777, 8, { quality: 75 }],
    ['noise, q100 (every coefficient, the longest codes)', 640, 480, 256, { quality: 100 }],
    ['optimised Huffman tables, q90', 999, 1003, 30, { quality: 90, optimiseCoding: true }],
    ['a smooth film, q50 (long runs of zeros)', 1200, 900, 0, { quality: 50 }],
    ['a tiny image', 17, 9, 8, { quality: 95 }],
  ] as const)('decodes %s to the same samples at 1/4 and 1/8', async (_, w, h, grain, opts) => {
    const src = await grey(w, h, grain, opts);
    expectSame(src, 4);
    expectSame(src, 8);
  });

  it('decodes files with restart intervals (every row, every 3 blocks) to the same samples', async () => {
    const src = await grey(803, 611, 8, { quality: 92 });
    for (const restart of ['1', '3B']) {
      const rst = jpegtran(src, '-restart', restart);
      expect(rst.includes(Buffer.from([0xff, 0xdd])), 'a DRI marker').toBe(true);
      expectSame(rst, 4);
      expectSame(rst, 8);
    }
  });

  it('leaves progressive, arithmetic-coded, colour and 12-bit files and other scales to libjpeg-turbo', async () => {
    const src = await grey(800, 600, 8, { quality: 90 });
    for (const args of [['-progressive'], ['-arithmetic']]) {
      const other = jpegtran(src, ...args);
      expect(addon!.scaledGrey(other, 4, true), args[0]).toBeNull();
      expect(turbo(other, 4)).not.toBe('refused');
    }
    const colour = await sharp(film(1200, 400, 8), { raw: { width: 400, height: 400, channels: 3 } })
      .jpeg()
      .toBuffer();
    expect(addon!.scaledGrey(colour, 4, true)).toBeNull();
    const twelve = Buffer.from(src);
    twelve[twelve.indexOf(Buffer.from([0xff, 0xc0])) + 4] = 12;
    // libjpeg-turbo's header reader refuses it, by name, before our decoder is asked
    expect(() => addon!.scaledGrey(twelve, 4, true)).toThrowError(/precision 12/);
    expect(addon!.scaledGrey(src, 2, true)).toBeNull();
    expect(addon!.scaledGrey(src, 2, false)?.width).toBe(400);
  });

  it('downscales a film through it, to the bytes libjpeg-turbo gives, and says which decoder read the file', async () => {
    const src = await grey(2500, 3000, 8, { quality: 95 });
    const own = addon!.downscale(src, 480, JPEG_QUALITY, THUMBNAIL_SIZE)!;
    const tj = addon!.downscale(src, 480, JPEG_QUALITY, THUMBNAIL_SIZE, false)!;
    expect([own.decoder, tj.decoder]).toEqual(['own', 'turbojpeg']);
    expect(Buffer.from(own.jpeg).equals(Buffer.from(tj.jpeg))).toBe(true);
    expect(Buffer.from(own.thumb!).equals(Buffer.from(tj.thumb!))).toBe(true);
    expect((await addon!.downscaleAsync(src, 480, JPEG_QUALITY, THUMBNAIL_SIZE))!.decoder).toBe('own');
    // 1/2 scale (384 px from 1,200) and colour are libjpeg-turbo's
    expect(addon!.downscale(await grey(1200, 900, 8, { quality: 95 }), 384, 92, 0)!.decoder).toBe(
      'turbojpeg',
    );
    const colour = await sharp(film(2400, 800, 8), { raw: { width: 800, height: 800, channels: 3 } })
      .jpeg()
      .toBuffer();
    expect(addon!.downscale(colour, 200, 92, 0)!.decoder).toBe('turbojpeg');
    expect(() => addon!.downscale(src, 480, 92, 0, 'yes' as unknown as boolean)).toThrowError(TypeError);
  });

  it.each([
    ['q90', 'data', { quality: 90 }, ''],
    ['q100', 'data', { quality: 100 }, ''],
    ['q85 with restart intervals', 'data', { quality: 85 }, '2B'],
    ['q85 with restart intervals and a JFIF header', 'headers', { quality: 85 }, '2B'],
  ] as const)(
    'never decodes a damaged file (%s; damage in its %s) libjpeg-turbo refuses, nor differs where both decode',
    async (_, where, opts, restart) => {
      const clean = await grey(333, 217, 40, opts);
      const src = restart ? jpegtran(clean, '-restart', restart) : clean;
      // the entropy-coded data, or the markers before it (tables, frame, restart interval, APP0)
      const [start, end] = where === 'data' ? [scanStart(src), src.length] : [2, scanStart(src)];
      const rand = random(7);
      const tally = { both: 0, declined: 0, refusedByBoth: 0 };
      for (let t = 0; t < 400; t++) {
        let bad = Buffer.from(src);
        const at = () => start + Math.floor(rand() * (end - start - 2));
        if (t % 3 === 0) for (let f = 0; f < 1 + (t % 4); f++) bad[at()]! ^= 1 << Math.floor(rand() * 8);
        else if (t % 3 === 1) bad = bad.subarray(0, at());
        else bad[at()] = Math.floor(rand() * 256);
        for (const scale of [4, 8] as const) {
          const ref = turbo(bad, scale);
          // libjpeg-turbo's header reader goes first: what it refuses, our decoder never sees
          const own = ref === 'refused' && !headerReads(bad) ? null : addon!.scaledGrey(bad, scale, true);
          if (own === null) tally[ref === 'refused' ? 'refusedByBoth' : 'declined']++;
          else {
            expect(ref, `damage ${t} at 1/${scale}`).not.toBe('refused');
            if (ref === 'refused' || ref === null) continue;
            expect(Buffer.from(own.pixels).equals(Buffer.from(ref.pixels)), `damage ${t} at 1/${scale}`).toBe(
              true,
            );
            tally.both++;
          }
        }
      }
      // the damage is varied enough that both decoders read many of the files
      expect(tally.both).toBeGreaterThan(150);
      expect(tally.refusedByBoth).toBeGreaterThan(100);
    },
  );
});
