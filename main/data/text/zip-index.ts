import { NumberColumn, StringIndex } from '#main/data/columns';
import { RandomAccessFile } from '#main/data/weights/file-reader';
import { entryDataOffset, readEntryRange, zipDirectory } from '#main/data/weights/zip';

// Random access to the entries of a zip archive (issue 22: memory flat whatever the count): its
// central directory is walked once (`zipDirectory`), the place of each entry a caller wants kept
// (a few bytes per entry, out of the JavaScript heap), and an entry is read and inflated when
// asked for. So an importer reads the entries of a batch of rows when it makes that batch
// (MIMIC-CXR's 227,835 reports in `mimic-cxr-reports.zip`) instead of holding all their texts.

const ZIP_START = [0x04034b50, 0x06054b50]; // a local file header; the end record of an empty archive

/** Entries of an open zip archive, by key; `close` when done. */
export interface ZipIndex {
  readonly size: number;
  /** The text of the entry of `key` (UTF-8), or undefined when the archive has none. */
  text(key: string): string | undefined;
  close(): void;
}

/**
 * Opens the zip archive `file` and indexes the entries `keyOf(name)` gives a key (the last of a
 * key wins). Throws when it is not a zip archive or its central directory is damaged; `text`
 * throws when an entry is damaged or compressed otherwise than stored or deflated.
 */
export function zipIndex(file: string, keyOf: (name: string) => string | undefined): ZipIndex {
  const zip = new RandomAccessFile(file);
  try {
    if (zip.size < 4 || !ZIP_START.includes(zip.read(0, 4, 'the zip header').readUInt32LE(0)))
      throw new Error('it does not start with a zip header');
    const index = new StringIndex();
    // Per entry kept: its local header's offset (as two 32-bit halves), sizes and method.
    const [lo, hi, packed, size, method] = Array.from({ length: 5 }, () => new NumberColumn());
    for (const e of zipDirectory(zip)) {
      const key = keyOf(e.name);
      if (key === undefined) continue;
      index.set(key, lo!.push((e.localHeaderOffset % 2 ** 32) | 0));
      hi!.push(Math.floor(e.localHeaderOffset / 2 ** 32));
      packed!.push(e.compressedSize | 0);
      size!.push(e.size | 0);
      method!.push(e.method);
    }
    return {
      size: index.size,
      text(key) {
        const k = index.get(key);
        if (k === undefined) return undefined;
        const entry = {
          name: `entry ${key}`,
          method: method!.at(k),
          compressedSize: packed!.at(k) >>> 0,
          size: size!.at(k) >>> 0,
          localHeaderOffset: hi!.at(k) * 2 ** 32 + (lo!.at(k) >>> 0),
        };
        return readEntryRange(zip, entry, entryDataOffset(zip, entry), 0, entry.size).toString('utf8');
      },
      close: () => zip.close(),
    };
  } catch (err) {
    zip.close();
    throw err;
  }
}
