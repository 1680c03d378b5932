import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DicomError, decodeDicom } from './decode';
import { BASIC_PROFILE_ATTRIBUTES } from './deidentify';
import { writeDicom } from './write-dicom';

// 2x2 CT frames in Hounsfield units -1024 + stored value.
const hu = (values: number[]) => Int16Array.from(values.map((v) => v + 1024));

describe('DICOM decoding', () => {
  it('applies rescale slope/intercept and the window centre/width (linear VOI LUT)', async () => {
    const bytes = writeDicom({
      rows: 2,
      columns: 2,
      pixels: hu([-1000, -160, 40, 240]),
      slope: 1,
      intercept: -1024,
      windowCenter: 40,
      windowWidth: 400,
    });
    const d = await decodeDicom(bytes);
    expect([...d.image.data]).toEqual([0, 0, 128, 255]);
    expect(d.meta).toEqual({ modality: 'CT', organ: 'chest' });
  });

  it('uses min..max without a window, and inverts MONOCHROME1', async () => {
    const pixels = Uint16Array.from([0, 100, 200, 400]);
    expect([...(await decodeDicom(writeDicom({ rows: 2, columns: 2, pixels }))).image.data]).toEqual([
      0, 64, 128, 255,
    ]);
    const inverted = await decodeDicom(
      writeDicom({ rows: 2, columns: 2, pixels, photometric: 'MONOCHROME1' }),
    );
    expect([...inverted.image.data]).toEqual([255, 191, 127, 0]);
  });

  it('picks a frame of a multi-frame file (default: the middle one)', async () => {
    const pixels = Uint8Array.from([0, 0, 0, 10, 50, 50, 50, 60, 90, 90, 90, 100]);
    const file = writeDicom({ rows: 2, columns: 2, frames: 3, pixels });
    expect((await decodeDicom(file)).frame).toBe(1);
    expect([...(await decodeDicom(file)).image.data]).toEqual([0, 0, 0, 255]);
    expect((await decodeDicom(file, 2)).frame).toBe(2);
    await expect(decodeDicom(file, 3)).rejects.toThrowError(/frame 3 asked for, but the file has 3 frame/);
  });

  it('names compressed transfer syntaxes it cannot decode', async () => {
    const file = writeDicom({
      rows: 2,
      columns: 2,
      pixels: Uint8Array.from([1, 2, 3, 4]),
      transferSyntax: '1.2.840.10008.1.2.4.90',
    });
    await expect(decodeDicom(file)).rejects.toThrowError(DicomError);
    await expect(decodeDicom(file)).rejects.toThrowError(
      /compressed with JPEG 2000 Lossless \(1\.2\.840\.10008\.1\.2\.4\.90\).*cannot decode/,
    );
  });

  it('decodes an 8-bit JPEG baseline frame through sharp (MONOCHROME1 inverted)', async () => {
    const frame = (v: number) =>
      sharp(Buffer.alloc(16 * 16, v), { raw: { width: 16, height: 16, channels: 1 } })
        .jpeg()
        .toBuffer();
    const file = writeDicom({
      rows: 16,
      columns: 16,
      pixels: new Uint8Array(0),
      jpegFrames: [await frame(100)],
      photometric: 'MONOCHROME1',
      windowCenter: 128,
      windowWidth: 256,
      transferSyntax: '1.2.840.10008.1.2.4.50',
    });
    const d = await decodeDicom(file);
    expect(d.image.width).toBe(16);
    expect(Math.abs(d.image.data[0]! - (255 - 100))).toBeLessThanOrEqual(2);
  });

  it('renders a handed-over file in place exactly as from a copy (16-bit, 8-bit, signed, MONOCHROME1, multi-frame)', async () => {
    const files = [
      writeDicom({
        rows: 7,
        columns: 5,
        pixels: Uint16Array.from({ length: 35 }, (_, i) => i * 97),
        windowCenter: 1500,
        windowWidth: 3000,
      }),
      writeDicom({ rows: 7, columns: 5, pixels: Uint16Array.from({ length: 35 }, (_, i) => i * 31) }),
      writeDicom({
        rows: 4,
        columns: 3,
        pixels: Int16Array.from({ length: 12 }, (_, i) => i * 50 - 300),
        slope: 2,
        intercept: -10,
        photometric: 'MONOCHROME1',
      }),
      writeDicom({
        rows: 3,
        columns: 3,
        pixels: Uint8Array.from({ length: 27 }, (_, i) => i * 9),
        frames: 3,
      }),
    ];
    for (const file of files) {
      for (const depth of [8, 16] as const) {
        const copy = await decodeDicom(new Uint8Array(file), undefined, depth, false);
        const handed = new Uint8Array(file);
        const inPlace = await decodeDicom(handed, undefined, depth, true);
        expect([...inPlace.image.data]).toEqual([...copy.image.data]);
        expect({ ...inPlace.image, data: 0 }).toEqual({ ...copy.image, data: 0 });
        // The pixels were rendered over the file's own pixel data.
        expect(
          inPlace.image.data.buffer === handed.buffer,
          `file ${files.indexOf(file)} depth ${depth}`,
        ).toBe(true);
      }
    }
  });

  it('lists the PS3.15 basic-profile identifiers it removes', async () => {
    for (const k of [
      'PatientName',
      'PatientID',
      'PatientBirthDate',
      'StudyInstanceUID',
      'AccessionNumber',
      'InstitutionName',
    ]) {
      expect(BASIC_PROFILE_ATTRIBUTES).toContain(k);
    }
  });
});
