// The publisher-shaped folders bench/import-large.ts imports (issue 22): MIMIC-CXR-JPG 2.0.0
// (JPEGs of one grey component, as the publisher's) and CBIS-DDSM (16-bit DICOM mammograms).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import sharp from 'sharp';
import { writeDicom } from '#main/data/dicom/write-dicom';
import { CBIS_CSV_HEADER } from '#main/data/fixtures/publisher-fixtures';

const gz = (rows: string[][]) => gzipSync(`${rows.map((r) => r.join(',')).join('\n')}\n`);
const write = (path: string, bytes: Uint8Array | string) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
};

/** A smooth chest-film-like grey field with film grain, varied by `seed`. */
function film(width: number, height: number, seed: number): Buffer {
  const data = Buffer.alloc(width * height);
  let x = (seed + 1) * 2654435761;
  for (let y = 0; y < height; y++) {
    for (let c = 0; c < width; c++) {
      x = (x * 1103515245 + 12345) >>> 0;
      const dx = (c - width / 2) / width;
      const dy = (y - height / 2) / height;
      data[y * width + c] = Math.max(
        0,
        Math.min(255, 200 - 300 * (dx * dx + dy * dy) + (x >>> 29) + (seed % 17)),
      );
    }
  }
  return data;
}

/** MIMIC-CXR-JPG 2.0.0 layout: split + metadata CSVs and files/pNN/pSUBJECT/sSTUDY/<dicom_id>.jpg + sSTUDY.txt. */
export async function generateMimic(
  root: string,
  count: number,
  [w, h]: readonly [number, number] = [2500, 3000],
  report: (i: number) => string = (i) =>
    `FINDINGS: Lungs are clear (${i}).\n\nIMPRESSION: No acute process.\n`,
  reportsZip = false,
): Promise<number> {
  const base = film(w, h, 0);
  const split: string[][] = [['dicom_id', 'study_id', 'subject_id', 'split']];
  const meta: string[][] = [['dicom_id', 'subject_id', 'study_id', 'ViewPosition', 'Rows', 'Columns']];
  let bytes = 0;
  const one = async (i: number) => {
    const subject = String(10_000_000 + Math.floor(i / 4));
    const study = String(50_000_000 + Math.floor(i / 2));
    const id = `${i.toString(16).padStart(8, '0')}-bde0afdd-112c0b34-7bc16630-4e384014`;
    const g = Math.floor(i / 4) % 10; // the split is per subject, as the publisher's
    const s = g === 0 ? 'test' : g === 1 ? 'validate' : 'train';
    split.push([id, study, subject, s]);
    meta.push([id, subject, study, i % 2 ? 'LATERAL' : 'PA', String(h), String(w)]);
    // A different patch per image, so every file (and blob) is distinct.
    const pixels = Buffer.from(base);
    for (let k = 0; k < 4096; k++) pixels[(i * 7919 + k * 613) % pixels.length] = (i + k) & 0xff;
    if (pixels.length < 4096) pixels.writeUIntBE(i, 0, 3); // distinct when the image is tiny
    // One grey component, as the publisher's files (a 3-component encode of the same pixels takes
    // ~35% more CPU to decode).
    const jpg = await sharp(pixels, { raw: { width: w, height: h, channels: 1 } })
      .toColourspace('b-w')
      .jpeg({ quality: 95 })
      .toBuffer();
    bytes += jpg.length;
    const dir = join(root, 'files', `p${subject.slice(0, 2)}`, `p${subject}`);
    write(join(dir, `s${study}`, `${id}.jpg`), jpg);
    // --reports zip: the reports as the release ships them, in mimic-cxr-reports.zip.
    if (zipped) zipped[`files/p${subject.slice(0, 2)}/p${subject}/s${study}.txt`] = strToU8(report(i));
    else write(join(dir, `s${study}.txt`), report(i));
  };
  const zipped: Record<string, Uint8Array> | undefined = reportsZip ? {} : undefined;
  // Encoded a few at a time (sharp encodes on libuv's threads): generation is most of the bench's time.
  for (let i = 0; i < count; i += 4)
    await Promise.all([i, i + 1, i + 2, i + 3].filter((k) => k < count).map(one));
  write(join(root, 'mimic-cxr-2.0.0-split.csv.gz'), gz(split));
  write(join(root, 'mimic-cxr-2.0.0-metadata.csv.gz'), gz(meta));
  if (zipped) write(join(root, 'mimic-cxr-reports.zip'), zipSync(zipped));
  return bytes;
}

/** CBIS-DDSM layout: the mass case-description CSVs and CBIS-DDSM/<series>/<uid>/<uid>/000000.dcm. */
export function generateDdsm(root: string, count: number): number {
  const [rows, cols] = [5000, 4000];
  const header = [...CBIS_CSV_HEADER];
  const train: string[][] = [header];
  const test: string[][] = [header];
  const pixels = new Uint16Array(rows * cols);
  for (let y = 0; y < rows; y++)
    for (let c = 0; c < cols; c++) pixels[y * cols + c] = (Math.sin(y / 97) * 1500 + c / 3 + 2000) & 0xfff;
  let bytes = 0;
  // One file written by dcmjs; every other one is a copy with its own patch of the pixel data (the
  // file's last element), so files and blobs are distinct without encoding each.
  const template = writeDicom({
    rows,
    columns: cols,
    pixels,
    windowCenter: 2048,
    windowWidth: 4096,
    attributes: { PatientName: 'P_TEMPLATE' },
  });
  const pixelsAt = template.length - pixels.byteLength;
  for (let i = 0; i < count; i++) {
    const patient = `P_${String(i).padStart(5, '0')}`;
    const isTest = i % 5 === 0;
    const series = `Mass-${isTest ? 'Test' : 'Training'}_${patient}_LEFT_CC`;
    const uid = `1.3.6.1.4.1.9590.100.1.2.${i}`;
    const full = `${series}/${uid}.1/${uid}.2/000000.dcm`;
    const dcm = Buffer.from(template);
    const view = new DataView(dcm.buffer, dcm.byteOffset + pixelsAt, pixels.byteLength);
    for (let k = 0; k < 1024; k++)
      view.setUint16(((i * 7919 + k * 613) % pixels.length) * 2, (i * 31 + k) & 0xfff, true);
    bytes += dcm.length;
    write(join(root, 'CBIS-DDSM', full), dcm);
    const row = [
      patient,
      '3',
      'LEFT',
      'CC',
      '1',
      'mass',
      'OVAL',
      'CIRCUMSCRIBED',
      '3',
      i % 2 ? 'MALIGNANT' : 'BENIGN',
      '3',
      full,
      `${series}_1/${uid}.3/${uid}.4/000000.dcm`,
      `${series}_1/${uid}.3/${uid}.4/000001.dcm`,
    ];
    (isTest ? test : train).push(row);
  }
  const csv = (t: string[][]) =>
    `${t.map((r) => r.map((v) => (v.includes(',') ? `"${v}"` : v)).join(',')).join('\n')}\n`;
  write(join(root, 'mass_case_description_train_set.csv'), csv(train));
  write(join(root, 'mass_case_description_test_set.csv'), csv(test));
  return bytes;
}

/** Every file under `dir` whose name ends with `ext`. */
export function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => join(e.parentPath, e.name));
}
