import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '#db/blob-store';
import { writeDicom } from '#main/data/dicom/write-dicom';
import * as fx from '#main/data/fixtures/make-fixtures';
import { ImportRequest } from '#shared/api/datasets';
import { DEFAULT_MAX_SIDE, type ImportProgressEvent } from '#shared/domain/dataset';
import { importDataset } from './dataset-import';
import { freshWorkbench, storeSnapshot } from './test-workbench';

// Images are stored at a bounded long side (issue 22): formats and sizes per option, the source of
// each blob in `image_sources`, an interrupted import re-run, object arrays in .npz refused.
let ctx: ReturnType<typeof freshWorkbench>;
let n = 0;
beforeAll(() => {
  ctx = freshWorkbench();
});
afterAll(() => ctx.close());

/** Noise, so JPEG sizes are those of a photograph rather than of a flat colour. */
async function noisyJpeg(width: number, height: number, channels: 1 | 3, seed: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * channels);
  let x = seed * 2654435761;
  for (let i = 0; i < data.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    data[i] = (((i % (width * channels)) / channels) * 200) / width + (x >>> 27);
  }
  return sharp(data, { raw: { width, height, channels } })
    .jpeg({ quality: 95 })
    .withExif({ IFD0: { Artist: 'Dr Who' } })
    .toBuffer();
}

function dicom16(rows: number, columns: number): Uint8Array {
  const pixels = Uint16Array.from({ length: rows * columns }, (_, i) => (i * 7) % 4096);
  return writeDicom({ rows, columns, pixels, attributes: { PatientName: 'Doe^Jane' } });
}

async function png16(width: number, height: number): Promise<Buffer> {
  const d = Uint16Array.from({ length: width * height }, (_, i) => (i * 13) % 65_536);
  // sharp's typings lack the raw input's `depth`, which libvips reads (16-bit samples).
  const raw = { width, height, channels: 1 as const, depth: 'ushort' as const };
  return sharp(Buffer.from(d.buffer), { raw }).toColourspace('grey16').png().toBuffer();
}

const request = (path: string, options: Record<string, unknown> = {}) =>
  ImportRequest.parse({ path, format: 'image-folder', options });

async function mixedFolder(): Promise<string> {
  return fx.writeTree(join(ctx.dir, `mixed-${n++}`), {
    'a/photo.jpg': await noisyJpeg(1200, 900, 3, 1),
    'a/small.jpg': await noisyJpeg(100, 80, 1, 2),
    'b/scan.dcm': dicom16(600, 1000),
    'b/film.png': await png16(800, 1000),
  });
}

interface StoredImage {
  mime: string;
  width: number;
  height: number;
  depth: string;
  bytes: number;
  source: string;
  sourceSha256: string;
  exif: boolean;
}

/** Each image of a dataset as stored, by its file name. */
async function stored(datasetId: string): Promise<Record<string, StoredImage>> {
  const blobs = new BlobStore(ctx.home.blobs);
  const out: Record<string, StoredImage> = {};
  for (const ex of ctx.store.examples.iterate(datasetId)) {
    const row = ctx.store.blobs.get(ex.imageHash!)!;
    const bytes = blobs.read(row.hash)!;
    const md = await sharp(bytes).metadata();
    const [src] = ctx.store.imageSources.ofBlob(row.hash);
    const name = src!.path.split('/').at(-1)!;
    out[name] = {
      mime: row.mime,
      width: md.width!,
      height: md.height!,
      depth: md.depth!,
      bytes: bytes.length,
      source: src!.path,
      sourceSha256: src!.sourceSha256,
      exif: md.exif !== undefined,
    };
  }
  return out;
}

const sha256 = async (path: string) =>
  (await import('node:crypto')).createHash('sha256').update(readFileSync(path)).digest('hex');

describe('stored size and format per max-side option', () => {
  it(`default (${DEFAULT_MAX_SIDE} px): photos as JPEG, 16-bit images as 16-bit PNG, small ones as they are`, async () => {
    expect(DEFAULT_MAX_SIDE).toBe(480); // the largest preset input (384 px) x 1.25
    const dir = await mixedFolder();
    const r = await importDataset(ctx, request(dir));
    const s = await stored(r.datasetId!);
    expect(s['photo.jpg']).toMatchObject({
      mime: 'image/jpeg',
      width: 480,
      height: 360,
      depth: 'uchar',
      exif: false,
    });
    expect(s['photo.jpg']!.bytes).toBeLessThan(statSync(join(dir, 'a/photo.jpg')).size / 4);
    expect(s['small.jpg']).toMatchObject({ mime: 'image/jpeg', width: 100, height: 80, exif: false });
    expect(s['scan.dcm']).toMatchObject({ mime: 'image/png', width: 480, height: 288, depth: 'ushort' });
    expect(s['film.png']).toMatchObject({ mime: 'image/png', width: 384, height: 480, depth: 'ushort' });
    // Provenance: every image's source path and the sha256 of the original file.
    for (const [file, path] of [
      ['photo.jpg', 'a/photo.jpg'],
      ['small.jpg', 'a/small.jpg'],
      ['scan.dcm', 'b/scan.dcm'],
      ['film.png', 'b/film.png'],
    ] as const) {
      expect(s[file]!.source).toBe(join(dir, path));
      expect(s[file]!.sourceSha256).toBe(await sha256(join(dir, path)));
    }
    const d = await ctx.invoke('datasets.get', { id: r.datasetId! });
    expect(d.meta['provenance']).toMatchObject({ images: { maxSide: 480, variant: 'max480' } });
    // The de-identified DICOM keeps no patient name anywhere in the blob.
    const blob = new BlobStore(ctx.home.blobs).read(
      ctx.store.imageSources.get(join(dir, 'b/scan.dcm'), 'max480')!.blobHash,
    )!;
    expect(blob.includes(Buffer.from('Doe^Jane'))).toBe(false);
  });

  it('--max-side 256 and original', async () => {
    const dir = await mixedFolder();
    const small = await stored((await importDataset(ctx, request(dir, { maxSide: 256 }))).datasetId!);
    expect(small['photo.jpg']).toMatchObject({ mime: 'image/jpeg', width: 256, height: 192 });
    expect(small['scan.dcm']).toMatchObject({ width: 256, height: 154, depth: 'ushort' });
    expect(small['film.png']).toMatchObject({ width: 205, height: 256, depth: 'ushort' });
    const full = await stored((await importDataset(ctx, request(dir, { maxSide: 'original' }))).datasetId!);
    expect(full['photo.jpg']).toMatchObject({ mime: 'image/jpeg', width: 1200, height: 900, exif: false });
    expect(full['scan.dcm']).toMatchObject({ mime: 'image/png', width: 1000, height: 600, depth: 'ushort' });
    expect(full['film.png']).toMatchObject({ width: 800, height: 1000, depth: 'ushort' });
    // The same sources at three sizes: one source row per variant, the same original hash.
    const photo = join(dir, 'a/photo.jpg');
    expect(ctx.store.imageSources.get(photo, 'max256')!.sourceSha256).toBe(
      ctx.store.imageSources.get(photo, 'original')!.sourceSha256,
    );
  });
});

describe('an interrupted import', () => {
  it('re-run reuses what was stored, decodes the rest, and stores every example once', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 40; i++)
      files[`${i % 2 ? 'a' : 'b'}/img${i}.jpg`] = await noisyJpeg(160, 120, 1, i + 10);
    const dir = fx.writeTree(join(ctx.dir, 'interrupted'), files);
    const datasetsBefore = ctx.store.datasets.list().length;
    const blobsBefore = ctx.store.blobs.count();
    const abort = new AbortController();
    const events: ImportProgressEvent[] = [];
    const first = importDataset(
      ctx,
      request(dir, { maxSide: 64 }),
      (e) => {
        events.push(e);
        if (e.phase === 'images' && e.done >= 16) abort.abort();
      },
      abort.signal,
    );
    await expect(first).rejects.toThrow(/interrupted after \d+ of 40 images/);
    expect(events.find((e) => e.phase === 'images' && e.done === 16)!.message).toMatch(
      /^16 of 40 images, [\d.]+\/s, about \d+s left$/,
    );
    // No dataset half-imported; the images done so far are stored.
    expect(ctx.store.datasets.list().length).toBe(datasetsBefore);
    const kept = ctx.store.blobs.count() - blobsBefore;
    expect(kept).toBeGreaterThanOrEqual(16);
    expect(kept).toBeLessThan(40);

    const r = await importDataset(ctx, request(dir, { maxSide: 64 }));
    expect(r.images).toEqual({ total: 40, new: 40 - kept, reused: kept });
    expect(r.examples).toBe(40);
    const examples = [...ctx.store.examples.iterate(r.datasetId!)];
    expect(examples).toHaveLength(40);
    expect(new Set(examples.map((e) => e.imageHash)).size).toBe(40);
    expect(ctx.store.blobs.count() - blobsBefore).toBe(40);
    const sources = new Set(
      examples.flatMap((e) => ctx.store.imageSources.ofBlob(e.imageHash!).map((s) => s.path)),
    );
    expect(sources.size).toBe(40);
  });
});

describe('object arrays in .npz', () => {
  it('a pickled object array is refused by name and the store is unchanged', async () => {
    const files: Record<string, Uint8Array> = unzipSync(fx.medmnistNpz([4, 4], [[0], [1]]));
    files['train_labels.npy'] = fx.npyBytes(
      [2, 1],
      Buffer.from('80034b004b01865d7100284b004b01652e', 'hex'),
      '|O',
    );
    const path = join(ctx.dir, 'pneumoniamnist.npz');
    writeFileSync(path, zipSync(files));
    const before = storeSnapshot(ctx);
    await expect(ctx.invoke('datasets.import', { path })).rejects.toThrow(
      /train_labels\.npy: refused: it is an object array/,
    );
    expect(storeSnapshot(ctx)).toEqual(before);
  });
});
