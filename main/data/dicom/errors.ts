/** A DICOM file the workbench cannot use; the message says why (the caller adds the file name). */
export class DicomError extends Error {
  override name = 'DicomError';
}
