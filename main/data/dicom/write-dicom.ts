import dcmjs from 'dcmjs';

const { DicomDict, DicomMetaDictionary } = dcmjs.data;

/** What `writeDicom` puts in a file (tests and demo tooling). */
export interface DicomSpec {
  readonly rows: number;
  readonly columns: number;
  /** Stored values, all frames concatenated. */
  readonly pixels: Int16Array | Uint16Array | Uint8Array;
  readonly frames?: number;
  readonly photometric?: 'MONOCHROME1' | 'MONOCHROME2';
  readonly slope?: number;
  readonly intercept?: number;
  readonly windowCenter?: number;
  readonly windowWidth?: number;
  readonly transferSyntax?: string;
  /** Encapsulated JPEG streams, one per frame (with a JPEG transfer syntax); `pixels` is ignored. */
  readonly jpegFrames?: readonly Uint8Array[];
  /** Extra attributes by keyword (e.g. PatientName) to prove they are removed. */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** Writes a DICOM Part 10 file with dcmjs (explicit VR little endian unless told otherwise). */
export function writeDicom(spec: DicomSpec): Uint8Array {
  const bits = spec.jpegFrames || spec.pixels instanceof Uint8Array ? 8 : 16;
  const signed = spec.pixels instanceof Int16Array ? 1 : 0;
  const sop = '1.2.840.10008.5.1.4.1.1.2';
  const instance = '1.2.826.0.1.3680043.8.498.1';
  const dataset: Record<string, unknown> = {
    _vrMap: { PixelData: bits === 8 ? 'OB' : 'OW' },
    SOPClassUID: sop,
    SOPInstanceUID: instance,
    Modality: 'CT',
    BodyPartExamined: 'CHEST',
    Rows: spec.rows,
    Columns: spec.columns,
    BitsAllocated: bits,
    BitsStored: bits,
    HighBit: bits - 1,
    PixelRepresentation: signed,
    SamplesPerPixel: 1,
    PhotometricInterpretation: spec.photometric ?? 'MONOCHROME2',
    ...(spec.frames ? { NumberOfFrames: spec.frames } : {}),
    ...(spec.slope !== undefined ? { RescaleSlope: spec.slope, RescaleIntercept: spec.intercept ?? 0 } : {}),
    ...(spec.windowCenter !== undefined
      ? { WindowCenter: spec.windowCenter, WindowWidth: spec.windowWidth }
      : {}),
    ...spec.attributes,
    PixelData: spec.jpegFrames
      ? spec.jpegFrames.map((f) => f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength))
      : spec.pixels.buffer.slice(spec.pixels.byteOffset, spec.pixels.byteOffset + spec.pixels.byteLength),
  };
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sop,
    MediaStorageSOPInstanceUID: instance,
    TransferSyntaxUID: spec.transferSyntax ?? '1.2.840.10008.1.2.1',
    ImplementationClassUID: '1.2.826.0.1.3680043.8.498.2',
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write({ fragmentMultiframe: false }));
}
