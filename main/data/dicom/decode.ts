import dcmjs from 'dcmjs';
import sharp from 'sharp';
import type { RawImage } from '#main/data/images/bmp';
import type { ExampleMeta } from '#shared/domain/dataset';
import { deidentify, type GroupingKeys } from './deidentify';
import { DicomError } from './errors';
import { renderFrame } from './render';
import { readTransferSyntax } from './transfer-syntax';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

/** Transfer syntaxes whose pixel data is stored uncompressed (and read here). */
const NATIVE: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
};

/** Compressed syntaxes, named in the error that says they cannot be decoded here. */
const COMPRESSED: Record<string, string> = {
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian (retired)',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (Process 1)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K Lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

const DEFLATED = '1.2.840.10008.1.2.1.99';
const PIXEL_DATA_TAG = '7FE00010';

/**
 * The native pixel data as a view of `bytes` when it is the file's last element (as scanners and
 * converters write it): the (7FE0,0010) header, explicit (OB/OW) or implicit VR, right before the
 * last Rows x Columns x SamplesPerPixel x BitsAllocated/8 x NumberOfFrames bytes (padded to even).
 * Null for any other layout (then the whole file is parsed).
 */
function trailingPixelData(bytes: Uint8Array, ds: Readonly<Record<string, unknown>>): Uint8Array | null {
  const n = (k: string, fallback: number) => Number(ds[k] ?? fallback) || fallback;
  const size =
    n('Rows', 0) *
    n('Columns', 0) *
    n('SamplesPerPixel', 1) *
    (n('BitsAllocated', 16) / 8) *
    n('NumberOfFrames', 1);
  if (!Number.isInteger(size) || size <= 0) return null;
  const length = size + (size % 2);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tagAt = (at: number) =>
    at >= 132 && v.getUint16(at, true) === 0x7fe0 && v.getUint16(at + 2, true) === 0x0010;
  const explicit = bytes.length - length - 12;
  const vr = explicit >= 0 ? String.fromCharCode(bytes[explicit + 4]!, bytes[explicit + 5]!) : '';
  const start =
    tagAt(explicit) && (vr === 'OW' || vr === 'OB') && v.getUint32(explicit + 8, true) === length
      ? explicit + 12
      : tagAt(bytes.length - length - 8) && v.getUint32(bytes.length - length - 4, true) === length
        ? bytes.length - length
        : -1;
  return start < 0 ? null : bytes.subarray(start, start + size);
}

/** A DICOM image rendered to 8-bit pixels, with only non-identifying metadata. */
export interface DecodedDicom {
  readonly image: RawImage;
  readonly meta: ExampleMeta;
  readonly grouping: GroupingKeys;
  readonly frames: number;
  readonly frame: number;
}

/** 8-bit JPEG syntaxes decoded through sharp (libjpeg-turbo); each frame is one JPEG stream. */
const JPEG_8BIT = new Set(['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51']);

/** The frame's JPEG stream decoded to stored values (8-bit), as a native-syntax dataset. */
async function decodeJpegFrame(
  kept: Record<string, unknown>,
  pick: number,
): Promise<Record<string, unknown>> {
  const fragments = (Array.isArray(kept['PixelData']) ? kept['PixelData'] : []) as ArrayBuffer[];
  const stream = fragments[pick];
  if (!stream) throw new DicomError(`frame ${pick} has no JPEG data (${fragments.length} fragment(s))`);
  let raw: { data: Buffer; info: { channels: number } };
  try {
    raw = await sharp(new Uint8Array(stream), { failOn: 'truncated' })
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new DicomError(
      `the JPEG pixel data of frame ${pick} cannot be decoded (${(err as Error).message}); only 8-bit JPEG is read`,
    );
  }
  const mono = String(kept['PhotometricInterpretation'] ?? 'MONOCHROME2').startsWith('MONOCHROME');
  const colour = raw.info.channels >= 3 && !mono;
  let pixels: Uint8Array = raw.data;
  if (!colour && raw.info.channels > 1) {
    // A monochrome image stored as a 3-component JPEG: keep the first (luma) component.
    pixels = new Uint8Array(raw.data.length / raw.info.channels);
    for (let i = 0; i < pixels.length; i++) pixels[i] = raw.data[i * raw.info.channels]!;
  }
  return {
    ...kept,
    BitsAllocated: 8,
    PixelRepresentation: 0,
    SamplesPerPixel: colour ? 3 : 1,
    PlanarConfiguration: 0,
    // libjpeg returns RGB for colour streams whatever the header says (YBR_FULL_422 in the file).
    PhotometricInterpretation: colour ? 'RGB' : kept['PhotometricInterpretation'],
    NumberOfFrames: 1,
    PixelData: [pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.byteLength)],
  };
}

/**
 * Reads a DICOM Part 10 file, removes the PS3.15 basic-profile attributes, and renders one frame
 * (`depth` 16: a monochrome image of more than 8 stored bits keeps 16 bits)
 * (default: the middle one) with rescale slope/intercept, the first window centre/width (else
 * the frame's min..max) and MONOCHROME1 inversion. Uncompressed and 8-bit JPEG (baseline,
 * extended) pixel data are read; other compressed syntaxes fail with a message naming them.
 * With `consume` the caller hands `bytes` over: the rendered pixels may be written over them.
 */
export async function decodeDicom(
  bytes: Uint8Array,
  frame?: number,
  depth: 8 | 16 = 8,
  consume = false,
): Promise<DecodedDicom> {
  // The transfer syntax is checked before parsing: compressed pixel data fails with a clear message.
  const ts = readTransferSyntax(bytes) ?? '1.2.840.10008.1.2';
  const jpeg = JPEG_8BIT.has(ts);
  if (!(ts in NATIVE) && !jpeg) {
    const name = COMPRESSED[ts] ?? 'an unknown transfer syntax';
    throw new DicomError(
      `pixel data is compressed with ${name} (${ts}), which the workbench cannot decode; ` +
        'convert it to Explicit VR Little Endian first (e.g. `gdcmconv --raw` or `dcmdjpeg`)',
    );
  }
  // A whole-buffer view (a large file as read) is parsed in place: no 40 MB copy of a mammogram.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const buffer = (
    whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  ) as ArrayBuffer;
  const read = (untilPixels: boolean) => {
    try {
      const parsed = DicomMessage.readFile(buffer, {
        ignoreErrors: false,
        ...(untilPixels ? { untilTag: PIXEL_DATA_TAG, includeUntilTagValue: false } : {}),
      });
      return deidentify(DicomMetaDictionary.naturalizeDataset(parsed.dict) as Record<string, unknown>);
    } catch (err) {
      throw new DicomError(`not a readable DICOM file (${(err as Error).message})`);
    }
  };
  // A file handed over (`consume`) in a native syntax: the header is parsed up to the pixel data,
  // which is read where it lies in `bytes` and rendered over itself (no copy of the frame).
  const inPlace = consume && whole && ts in NATIVE && ts !== DEFLATED;
  let { kept, grouping } = read(inPlace);
  const pixels = inPlace ? trailingPixelData(bytes, kept) : null;
  if (inPlace && pixels) kept = { ...kept, PixelData: [pixels] };
  else if (inPlace) ({ kept, grouping } = read(false));
  const frames = Math.max(1, Number(kept['NumberOfFrames'] ?? 1) || 1);
  const pick = frame ?? Math.floor((frames - 1) / 2);
  if (pick >= frames) throw new DicomError(`frame ${pick} asked for, but the file has ${frames} frame(s)`);
  const image = jpeg
    ? renderFrame(await decodeJpegFrame(kept, pick), 0)
    : renderFrame(kept, pick, depth, pixels !== null);
  const meta: ExampleMeta = {};
  if (typeof kept['Modality'] === 'string') meta['modality'] = kept['Modality'];
  if (typeof kept['BodyPartExamined'] === 'string') meta['organ'] = kept['BodyPartExamined'].toLowerCase();
  if (frames > 1) meta['frame'] = pick;
  return { image, meta, grouping, frames, frame: pick };
}

export { DicomError };
