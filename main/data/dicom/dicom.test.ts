import { describe, expect, it } from 'vitest';
import { DicomError, decodeDicom } from './decode';
import { BASIC_PROFILE_ATTRIBUTES } from './deidentify';
import { writeDicom } from './write-dicom';

// 2x2 CT frames in Hounsfield units -1024 + stored value.
const hu = (values: number[]) => Int16Array.from(values.map((v) => v + 1024));

describe('DICOM decoding', () => {
  it('applies rescale slope/intercept and the window centre/width (linear VOI LUT)', () => {
    const bytes = writeDicom({
      rows: 2,
      columns: 2,
      pixels: hu([-1000, -160, 40, 240]),
      slope: 1,
      intercept: -1024,
      windowCenter: 40,
      windowWidth: 400,
    });
    const d = decodeDicom(bytes);
    expect([...d.image.data]).toEqual([0, 0, 128, 255]);
    expect(d.meta).toEqual({ modality: 'CT', organ: 'chest' });
  });

  it('uses min..max without a window, and inverts MONOCHROME1', () => {
    const pixels = Uint16Array.from([0, 100, 200, 400]);
    expect([...decodeDicom(writeDicom({ rows: 2, columns: 2, pixels })).image.data]).toEqual([
      0, 64, 128, 255,
    ]);
    const inverted = decodeDicom(writeDicom({ rows: 2, columns: 2, pixels, photometric: 'MONOCHROME1' }));
    expect([...inverted.image.data]).toEqual([255, 191, 127, 0]);
  });

  it('picks a frame of a multi-frame file (default: the middle one)', () => {
    const pixels = Uint8Array.from([0, 0, 0, 10, 50, 50, 50, 60, 90, 90, 90, 100]);
    const file = writeDicom({ rows: 2, columns: 2, frames: 3, pixels });
    expect(decodeDicom(file).frame).toBe(1);
    expect([...decodeDicom(file).image.data]).toEqual([0, 0, 0, 255]);
    expect(decodeDicom(file, 2).frame).toBe(2);
    expect(() => decodeDicom(file, 3)).toThrowError(/frame 3 asked for, but the file has 3 frame/);
  });

  it('names compressed transfer syntaxes it cannot decode', () => {
    const file = writeDicom({
      rows: 2,
      columns: 2,
      pixels: Uint8Array.from([1, 2, 3, 4]),
      transferSyntax: '1.2.840.10008.1.2.4.90',
    });
    expect(() => decodeDicom(file)).toThrowError(DicomError);
    expect(() => decodeDicom(file)).toThrowError(
      /compressed with JPEG 2000 Lossless \(1\.2\.840\.10008\.1\.2\.4\.90\).*cannot decode/,
    );
  });

  it('lists the PS3.15 basic-profile identifiers it removes', () => {
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
