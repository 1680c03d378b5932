import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { writeDicom } from '#main/data/dicom/write-dicom';
import { writeTree } from '#main/data/fixtures/make-fixtures';
import { sharedImagePool } from '#main/jobs/image-pool';
import { freshWorkbench, storeSnapshot } from './test-workbench';

// Imports of more than 16 image files prepare them on the image pool's threads
// (BIOMED_IMAGE_THREADS, default one per core; 0: the main thread).
const saved = process.env['BIOMED_IMAGE_THREADS'];
afterEach(() => {
  if (saved === undefined) delete process.env['BIOMED_IMAGE_THREADS'];
  else process.env['BIOMED_IMAGE_THREADS'] = saved;
});

const homes: ReturnType<typeof freshWorkbench>[] = [];
afterAll(() => {
  for (const h of homes) h.close();
});
function home() {
  const h = freshWorkbench();
  homes.push(h);
  return h;
}

/** 24 16-bit DICOMs in two classes, and a broken one named `broken.dcm`. */
function tree(root: string): string {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < 24; i++) {
    const pixels = Uint16Array.from({ length: 40 * 30 }, (_, k) => (k * 11 + i * 397) % 4096);
    files[`${i % 2 ? 'mass' : 'normal'}/img${i}.dcm`] = writeDicom({
      rows: 40,
      columns: 30,
      pixels,
      windowCenter: 2048,
      windowWidth: 4096,
      attributes: { PatientName: `Doe^${i}`, PatientID: `P${i % 6}` },
    });
  }
  const broken = new Uint8Array(3000).fill(0xee);
  broken.set(new Uint8Array(128), 0);
  broken.set(Buffer.from('DICM'), 128);
  files['mass/broken.dcm'] = broken;
  return writeTree(root, files);
}

describe('image import on threads', () => {
  it('stores what the main thread stores, and skips a bad DICOM by name', async () => {
    const reports = [];
    const blobs = [];
    for (const threads of ['2', '0']) {
      process.env['BIOMED_IMAGE_THREADS'] = threads;
      const ctx = home();
      const r = await ctx.invoke('datasets.import', { path: tree(join(ctx.dir, 'src')), options: {} });
      // With threads every file went through the pool (24 and the broken one); without, none.
      expect(sharedImagePool()?.completed ?? 0).toBe(threads === '2' ? 25 : 0);
      reports.push(r);
      blobs.push(
        ctx.store.blobs
          .list()
          .map((b) => `${b.hash} ${b.mime} ${b.width}x${b.height}`)
          .sort(),
      );
    }
    const [threaded, main] = reports;
    expect([threaded!.examples, threaded!.images.total, threaded!.skippedCount]).toEqual([24, 24, 1]);
    expect(threaded!.skipped[0]!.reason).toMatch(
      /broken\.dcm cannot be used: DICOM: not a readable DICOM file/,
    );
    expect(threaded!.contentHash).toBe(main!.contentHash);
    expect(threaded!.splits).toEqual(main!.splits);
    expect(blobs[0]).toEqual(blobs[1]);
    expect(blobs[0]).toHaveLength(24);
  });

  it('--strict refuses the import naming the bad DICOM; the store is unchanged', async () => {
    process.env['BIOMED_IMAGE_THREADS'] = '2';
    const ctx = home();
    const src = tree(join(ctx.dir, 'src'));
    const before = storeSnapshot(ctx);
    await expect(ctx.invoke('datasets.import', { path: src, options: { strict: true } })).rejects.toThrow(
      /broken\.dcm/,
    );
    expect(storeSnapshot(ctx)).toEqual(before);
  });
});
