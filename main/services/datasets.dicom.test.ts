import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '#db/blob-store';
import { writeDicom } from '#main/data/dicom/write-dicom';
import { writeTree } from '#main/data/fixtures/make-fixtures';
import { allStoredBytes, freshWorkbench } from './test-workbench';

// DICOM files written here by dcmjs, carrying PHI; after import none of it is anywhere in the
// database or the blob store.
const PHI = {
  PatientName: 'Doe^Jonathan',
  PatientID: 'MRN-884422',
  PatientBirthDate: '19570312',
  AccessionNumber: 'ACC-5566',
  InstitutionName: 'St Example Hospital',
  ReferringPhysicianName: 'Who^Doctor',
  StudyDate: '20240117',
  StudyInstanceUID: '1.2.826.0.1.3680043.8.498.777',
  StudyDescription: 'CHEST CT Jonathan follow-up',
};

let ctx: ReturnType<typeof freshWorkbench>;
beforeAll(() => {
  ctx = freshWorkbench();
});
afterAll(() => ctx.close());

function ct(seed: number, patient: string, extra: Record<string, unknown> = {}): Uint8Array {
  const pixels = Int16Array.from({ length: 32 * 32 }, (_, i) => ((i * 13 + seed * 101) % 2000) - 1000);
  return writeDicom({
    rows: 32,
    columns: 32,
    pixels,
    slope: 1,
    intercept: 0,
    windowCenter: 40,
    windowWidth: 400,
    attributes: { ...PHI, PatientID: patient, ...extra },
  });
}

describe('DICOM import with de-identification', () => {
  it('keeps pixels and technical metadata, removes every PS3.15 basic-profile identifier', async () => {
    const files: Record<string, Uint8Array> = {};
    // Two patients, two images each, in two classes; patient A has one image in each class.
    files['nodule/a1.dcm'] = ct(1, 'MRN-884422');
    files['normal/a2.dcm'] = ct(2, 'MRN-884422');
    files['nodule/b1.dcm'] = ct(3, 'MRN-119933', { PatientName: 'Roe^Richard' });
    files['normal/b2.dcm'] = ct(4, 'MRN-119933', { PatientName: 'Roe^Richard' });
    for (let i = 0; i < 6; i++) files[`normal/c${i}.dcm`] = ct(10 + i, `MRN-C${i}`);
    const dir = writeTree(join(ctx.dir, 'dicom-src'), files);
    const r = await ctx.invoke('datasets.import', {
      path: dir,
      options: { validationFraction: 0.2, testFraction: 0.2 },
    });
    expect([r.format, r.examples, r.images.total]).toEqual(['image-folder', 10, 10]);
    const examples = [...ctx.store.examples.iterate(r.datasetId!)];
    expect(examples[0]!.meta).toMatchObject({ modality: 'CT', organ: 'chest' });
    expect(examples.every((e) => !('image' in e.meta))).toBe(true); // no file names for DICOM
    const blobs = ctx.store.blobs.list().map((b) => b.hash);
    expect(blobs).toHaveLength(10);
    const bytes = allStoredBytes(ctx);
    for (const value of [
      ...Object.values(PHI),
      'MRN-119933',
      'Roe^Richard',
      'Jonathan',
      'Richard',
      '884422',
    ]) {
      expect(bytes.includes(Buffer.from(value, 'utf8')), `"${value}" found in the store`).toBe(false);
      expect(bytes.includes(Buffer.from(value, 'utf16le')), `"${value}" (UTF-16) found in the store`).toBe(
        false,
      );
    }
  });

  it("keeps one patient's images in one split when it draws splits", async () => {
    // 8-bit pixels with 0 and 255 present render unchanged: pixel 0 encodes the patient.
    const image = (patient: number, k: number) =>
      writeDicom({
        rows: 4,
        columns: 4,
        pixels: Uint8Array.from([patient * 10, 0, 255, k, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7]),
        attributes: { PatientID: `PAT-${patient}`, PatientName: `Person^${patient}` },
      });
    const files: Record<string, Uint8Array> = {};
    for (let p = 0; p < 10; p++) {
      files[`yes/p${p}-1.dcm`] = image(p, 1);
      files[`no/p${p}-2.dcm`] = image(p, 2);
    }
    const dir = writeTree(join(ctx.dir, 'dicom-groups'), files);
    const r = await ctx.invoke('datasets.import', {
      path: dir,
      options: { validationFraction: 0.2, testFraction: 0.2, seed: 3 },
    });
    expect(r.splits.validation).toBeGreaterThan(0);
    expect(r.splits.test).toBeGreaterThan(0);
    const splitsOf = new Map<number, Set<string>>();
    const blobs = new BlobStore(ctx.home.blobs);
    for (const e of ctx.store.examples.iterate(r.datasetId!)) {
      const raw = await sharp(blobs.read(e.imageHash!)!).raw().toBuffer();
      const patient = raw[0]! / 10;
      splitsOf.set(patient, (splitsOf.get(patient) ?? new Set()).add(e.split));
    }
    expect(splitsOf.size).toBe(10);
    expect([...splitsOf.values()].every((s) => s.size === 1)).toBe(true);
  });
});
