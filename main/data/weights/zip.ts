import { inflateRawSync } from 'node:zlib';
import { type RandomAccessFile, WeightsFormatError } from './file-reader';

/** One member of a zip archive: where its bytes are, without having read them. */
export interface ZipEntry {
  readonly name: string;
  /** 0 = stored (what torch.save writes), 8 = deflated. */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;

function findEocd(file: RandomAccessFile): { buf: Buffer; at: number } {
  const tail = Math.min(file.size, 22 + MAX_COMMENT);
  const buf = file.read(file.size - tail, tail, 'the zip end record');
  for (let i = buf.length - 22; i >= 0; i--) if (buf.readUInt32LE(i) === EOCD) return { buf, at: i };
  throw new WeightsFormatError(
    `${file.path}: no zip end-of-central-directory record: the archive is truncated or not a zip archive`,
  );
}

/** Where the central directory is and how many records it has (ZIP64 end record included). */
function directoryPlace(file: RandomAccessFile): { count: number; dirSize: number; dirOffset: number } {
  const { buf, at } = findEocd(file);
  let count = buf.readUInt16LE(at + 10);
  let dirSize = buf.readUInt32LE(at + 12);
  let dirOffset = buf.readUInt32LE(at + 16);
  const locAt = at - 20;
  if (locAt >= 0 && buf.readUInt32LE(locAt) === EOCD64_LOCATOR) {
    const recOffset = Number(buf.readBigUInt64LE(locAt + 8));
    const rec = file.read(recOffset, 56, 'the zip64 end record');
    if (rec.readUInt32LE(0) !== EOCD64) throw new WeightsFormatError(`${file.path}: bad zip64 end record`);
    count = Number(rec.readBigUInt64LE(32));
    dirSize = Number(rec.readBigUInt64LE(40));
    dirOffset = Number(rec.readBigUInt64LE(48));
  }
  if (dirOffset + dirSize > file.size) file.read(dirOffset, dirSize, 'the zip central directory');
  return { count, dirSize, dirOffset };
}

/**
 * Each entry of the central directory (ZIP64 included), in order, the directory read with
 * positioned reads a MiB at a time (never whole: a reports archive has hundreds of thousands).
 */
export function* zipDirectory(file: RandomAccessFile): Generator<ZipEntry> {
  const { count, dirSize, dirOffset } = directoryPlace(file);
  const stop = dirOffset + dirSize;
  let pos = dirOffset;
  let dir: Buffer = Buffer.alloc(0);
  /** Reads on until `dir` holds `n` bytes; false when the directory ends first. */
  const hold = (n: number): boolean => {
    while (dir.length < n && pos < stop) {
      const more = file.read(pos, Math.min(1 << 20, stop - pos), 'the zip central directory');
      pos += more.length;
      dir = dir.length === 0 ? more : Buffer.concat([dir, more]);
    }
    return dir.length >= n;
  };
  for (let i = 0; i < count; i++) {
    if (!hold(46) || dir.readUInt32LE(0) !== CENTRAL)
      throw new WeightsFormatError(`${file.path}: zip central directory entry ${i} is damaged`);
    const method = dir.readUInt16LE(10);
    let compressedSize = dir.readUInt32LE(20);
    let size = dir.readUInt32LE(24);
    const nameLen = dir.readUInt16LE(28);
    const extraLen = dir.readUInt16LE(30);
    const commentLen = dir.readUInt16LE(32);
    let localHeaderOffset = dir.readUInt32LE(42);
    if (!hold(46 + nameLen + extraLen + commentLen))
      throw new WeightsFormatError(`${file.path}: zip central directory entry ${i} is damaged`);
    const name = dir.toString('utf8', 46, 46 + nameLen);
    // ZIP64 extra field: the 0xffffffff fields, in this order, as 8-byte values
    let e = 46 + nameLen;
    const end = e + extraLen;
    while (e + 4 <= end) {
      const id = dir.readUInt16LE(e);
      const len = dir.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = Number(dir.readBigUInt64LE(q));
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(dir.readBigUInt64LE(q));
          q += 8;
        }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(dir.readBigUInt64LE(q));
      }
      e += 4 + len;
    }
    yield { name, method, compressedSize, size, localHeaderOffset };
    dir = dir.subarray(end + commentLen);
  }
}

/** Reads the central directory (ZIP64 included) with positioned reads; entries by name. */
export function readZipDirectory(file: RandomAccessFile): Map<string, ZipEntry> {
  const entries = new Map<string, ZipEntry>();
  for (const entry of zipDirectory(file)) entries.set(entry.name, entry);
  return entries;
}

/** Offset of an entry's data (after its local header). */
export function entryDataOffset(file: RandomAccessFile, entry: ZipEntry): number {
  const h = file.read(entry.localHeaderOffset, 30, `the zip header of ${entry.name}`);
  if (h.readUInt32LE(0) !== LOCAL)
    throw new WeightsFormatError(`${file.path}: bad zip header for ${entry.name}`);
  const start = entry.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  if (start + entry.compressedSize > file.size)
    throw new WeightsFormatError(
      `${file.path}: zip entry ${entry.name} ends beyond the end of the file: the archive is truncated`,
    );
  return start;
}

/** The bytes [start, start + length) of an entry's uncompressed content. */
export function readEntryRange(
  file: RandomAccessFile,
  entry: ZipEntry,
  dataOffset: number,
  start: number,
  length: number,
): Buffer {
  if (start + length > entry.size)
    throw new WeightsFormatError(
      `${file.path}: ${entry.name} has ${entry.size} bytes, a tensor needs bytes up to ${start + length}`,
    );
  if (entry.method === 0) return file.read(dataOffset + start, length, entry.name);
  if (entry.method === 8) {
    const all = inflateRawSync(file.read(dataOffset, entry.compressedSize, entry.name));
    return all.subarray(start, start + length);
  }
  throw new WeightsFormatError(`${file.path}: ${entry.name} uses zip compression method ${entry.method}`);
}
