import { createReadStream } from 'node:fs';
import { Unzip, UnzipInflate, UnzipPassThrough } from 'fflate';

/** The signatures a zip file starts with: a local file header, or the end record of an empty archive. */
const ZIP_START = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')];

/**
 * Streams the zip archive `file`: each entry `take(name)` picks is decompressed and handed to
 * `each(name, text)` as soon as it is complete, so only one entry's bytes are in memory at a time
 * (never the whole archive nor all its entries). Throws when the file is not a zip archive or an
 * entry cannot be decompressed.
 */
export async function zipTexts(
  file: string,
  take: (name: string) => boolean,
  each: (name: string, text: string) => void,
): Promise<void> {
  const unzip = new Unzip();
  unzip.register(UnzipInflate);
  unzip.register(UnzipPassThrough);
  const pending: Promise<void>[] = [];
  const decoder = new TextDecoder();
  unzip.onfile = (f) => {
    if (!take(f.name)) return;
    const chunks: Uint8Array[] = [];
    pending.push(
      new Promise((resolve, reject) => {
        f.ondata = (err, data, final) => {
          if (err) return reject(err);
          chunks.push(data);
          if (final) {
            each(f.name, decoder.decode(Buffer.concat(chunks)));
            resolve();
          }
        };
      }),
    );
    f.start();
  };
  let first = true;
  for await (const chunk of createReadStream(file)) {
    const bytes = chunk as Buffer;
    if (first && !ZIP_START.some((s) => bytes.subarray(0, 4).equals(s)))
      throw new Error('it does not start with a zip header');
    first = false;
    unzip.push(bytes);
  }
  unzip.push(new Uint8Array(0), true);
  await Promise.all(pending);
}
