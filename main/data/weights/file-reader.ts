import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Why a weights file could not be read (truncated, not the format it claims, refused content). */
export class WeightsFormatError extends Error {
  override readonly name = 'WeightsFormatError';
}

/**
 * Positioned reads from one file: nothing is read that a caller does not ask for, so importing
 * never holds the file in memory. Counts the bytes read (tests check what was skipped).
 */
export class RandomAccessFile {
  readonly size: number;
  bytesRead = 0;
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  /** Exactly `length` bytes at `offset`; throws naming `what` when the file ends first. */
  read(offset: number, length: number, what: string): Buffer {
    if (this.fd === undefined) throw new Error('file is closed');
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new WeightsFormatError(
        `${this.path}: ${what} lies at bytes ${offset}..${offset + length}, beyond the end of the file (${this.size} bytes): the file is truncated`,
      );
    }
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, done, length - done, offset + done);
      if (n === 0) throw new WeightsFormatError(`${this.path}: unexpected end of file reading ${what}`);
      done += n;
    }
    this.bytesRead += length;
    return buf;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
