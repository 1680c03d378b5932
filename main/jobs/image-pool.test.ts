import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDicom } from '#main/data/dicom/write-dicom';
import { ImageError, prepareImage } from '#main/data/images/prepare';
import { ImagePool } from './image-pool';

const dir = mkdtempSync(join(tmpdir(), 'bw-image-pool-'));
const pool = new ImagePool(2);
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** A 16-bit mammogram-like DICOM of 600 x 500 with a patient name. */
function mammogram(seed: number): Uint8Array {
  const [rows, columns] = [600, 500];
  const pixels = Uint16Array.from({ length: rows * columns }, (_, i) => (i * 7 + seed * 131) % 4096);
  return writeDicom({
    rows,
    columns,
    pixels,
    windowCenter: 2048,
    windowWidth: 4096,
    attributes: { PatientName: 'Doe^Jane' },
  });
}

describe('image pool', () => {
  it('prepares files on its threads exactly as the main thread does', async () => {
    const photo = await sharp({ create: { width: 900, height: 700, channels: 3, background: '#a05030' } })
      .jpeg()
      .toBuffer();
    const paths = [file('m1.dcm', mammogram(1)), file('m2.dcm', mammogram(2)), file('photo.jpg', photo)];
    for (const path of paths) {
      for (const options of [{ maxSide: 480 as const }, { maxSide: 'original' as const }]) {
        const [threaded, here] = await Promise.all([
          pool.prepare(path, options),
          prepareImage({ kind: 'file', path }, options),
        ]);
        const plain = (img: typeof here) => ({
          ...img,
          bytes: Buffer.from(img.bytes).toString('base64'),
          thumbnail: img.thumbnail && Buffer.from(img.thumbnail).toString('base64'),
        });
        expect(plain(threaded)).toEqual(plain(here));
      }
    }
    const m = await pool.prepare(paths[0]!, { maxSide: 480 });
    expect([m.mime, m.width, m.height]).toEqual(['image/png', 400, 480]);
    expect(Buffer.from(m.bytes).includes(Buffer.from('Doe^Jane'))).toBe(false);
  });

  it('rejects a bad DICOM with the problem named, and goes on with the next files', async () => {
    const good = mammogram(3);
    // A Part 10 preamble and magic, then no readable meta header.
    const broken = new Uint8Array(4000).fill(0xee);
    broken.set(new Uint8Array(128), 0);
    broken.set(Buffer.from('DICM'), 128);
    const truncated = file('broken.dcm', broken);
    const garbage = file('garbage.dcm', new Uint8Array(4000).fill(7));
    const results = await Promise.allSettled([
      pool.prepare(truncated, { maxSide: 480 }),
      pool.prepare(garbage, { maxSide: 480 }),
      pool.prepare(file('good.dcm', good), { maxSide: 480 }),
      pool.prepare(join(dir, 'absent.dcm'), { maxSide: 480 }),
    ]);
    const [t, g, ok, absent] = results;
    expect(t.status === 'rejected' && t.reason).toBeInstanceOf(ImageError);
    expect(t.status === 'rejected' && (t.reason as Error).message).toMatch(
      /^DICOM: not a readable DICOM file/,
    );
    expect(g.status === 'rejected' && (g.reason as Error).message).toMatch(/not an image/);
    expect(ok.status === 'fulfilled' && ok.value.width).toBe(400);
    expect(absent.status === 'rejected' && (absent.reason as ImageError).kind).toBe('missing');
  });
});
