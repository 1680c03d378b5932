/**
 * Reads the Transfer Syntax UID (0002,0010) from a Part 10 file's meta header (always explicit
 * VR little endian), without parsing the dataset. Undefined when there is no meta header.
 */
export function readTransferSyntax(bytes: Uint8Array): string | undefined {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d ? 132 : 0;
  while (i + 8 <= bytes.length) {
    const group = v.getUint16(i, true);
    const element = v.getUint16(i + 2, true);
    if (group !== 0x0002) return undefined;
    const vr = String.fromCharCode(bytes[i + 4]!, bytes[i + 5]!);
    const long = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN'].includes(vr);
    const len = long ? v.getUint32(i + 8, true) : v.getUint16(i + 6, true);
    const start = i + (long ? 12 : 8);
    if (element === 0x0010) {
      return String.fromCharCode(...bytes.subarray(start, start + len))
        .replace(/\0/g, '')
        .trim();
    }
    i = start + len;
  }
  return undefined;
}
