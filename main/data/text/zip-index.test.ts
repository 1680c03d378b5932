import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { zipIndex } from './zip-index';

const dir = mkdtempSync(join(tmpdir(), 'bw-zipix-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const enc = (t: string) => new TextEncoder().encode(t);
const texts: Record<string, string> = {
  'files/p10/p10000032/s1.txt': `FINDINGS: clear. ${'x'.repeat(5000)}`,
  'files/p10/p10000032/skip.txt': 'not wanted',
  'files/p11/p11000001/s2.txt': 'IMPRESSION: stored, é',
  'again/s1.txt': 'FINDINGS: the later copy of s1',
};
const archive = () =>
  Buffer.from(
    zipSync({
      'files/p10/p10000032/s1.txt': enc(texts['files/p10/p10000032/s1.txt']!),
      'files/p10/p10000032/skip.txt': enc(texts['files/p10/p10000032/skip.txt']!),
      'files/p11/p11000001/s2.txt': [enc(texts['files/p11/p11000001/s2.txt']!), { level: 0 }],
      'again/s1.txt': enc(texts['again/s1.txt']!),
    }),
  );
const study = (name: string) => /(?:^|\/)s(\d+)\.txt$/.exec(name)?.[1];

/** The same archive with its end record in the zip64 form (as writers make it past 65,535 entries). */
function asZip64(zip: Buffer): Buffer {
  const at = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const [entries, bytes, offset] = [
    zip.readUInt16LE(at + 10),
    zip.readUInt32LE(at + 12),
    zip.readUInt32LE(at + 16),
  ];
  const end64 = Buffer.alloc(56);
  end64.writeUInt32LE(0x06064b50, 0);
  end64.writeBigUInt64LE(44n, 4);
  end64.writeBigUInt64LE(BigInt(entries), 24);
  end64.writeBigUInt64LE(BigInt(entries), 32);
  end64.writeBigUInt64LE(BigInt(bytes), 40);
  end64.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(at), 8);
  locator.writeUInt32LE(1, 16);
  const eocd = Buffer.from(zip.subarray(at));
  eocd.writeUInt16LE(0xffff, 8);
  eocd.writeUInt16LE(0xffff, 10);
  eocd.writeUInt32LE(0xffffffff, 12);
  eocd.writeUInt32LE(0xffffffff, 16);
  return Buffer.concat([zip.subarray(0, at), end64, locator, eocd]);
}

describe('zipIndex', () => {
  it('reads the picked entries when asked, deflated or stored, the last of a key winning; none of the rest', async () => {
    for (const [name, bytes] of [
      ['plain.zip', archive()],
      ['zip64.zip', asZip64(archive())],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const ix = zipIndex(file, study);
      try {
        expect(ix.size).toBe(2);
        expect(ix.text('2')).toBe(texts['files/p11/p11000001/s2.txt']);
        expect(ix.text('1')).toBe(texts['again/s1.txt']);
        expect(ix.text('3')).toBeUndefined();
      } finally {
        ix.close();
      }
    }
  });

  it('refuses a file that is not a zip archive, or whose central directory is cut, by what is wrong', async () => {
    const notZip = join(dir, 'not.zip');
    writeFileSync(notZip, 'FINDINGS: a text file named .zip\n');
    expect(() => zipIndex(notZip, study)).toThrow('it does not start with a zip header');
    const cut = join(dir, 'cut.zip');
    const zip = archive();
    writeFileSync(cut, zip.subarray(0, zip.length - 60));
    expect(() => zipIndex(cut, study)).toThrow(
      /no zip end-of-central-directory record: the archive is truncated or not a zip archive/,
    );
  });

  it('names an entry whose local header is damaged when it is read', async () => {
    const zip = archive();
    zip.writeUInt32LE(0, zip.indexOf('files/p11/p11000001/s2.txt') - 30);
    const file = join(dir, 'damaged.zip');
    writeFileSync(file, zip);
    const ix = zipIndex(file, study);
    try {
      expect(ix.text('1')).toBe(texts['again/s1.txt']);
      expect(() => ix.text('2')).toThrow(/bad zip header for entry 2$/);
    } finally {
      ix.close();
    }
  });
});
