import { isUtf8 } from 'node:buffer';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { Problems } from './problems';

/**
 * Reads a text file as UTF-8; a missing or empty file is a fatal problem, and so is invalid
 * UTF-8 (decoding it would silently put U+FFFD into the data): the problem names the byte offset,
 * line and column of the first bad sequence and how many there are.
 */
export async function readText(path: string, problems: Problems, root?: string): Promise<string> {
  const shown = root ? relative(root, path) || basename(path) : basename(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    return problems.fail(
      shown,
      `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  const bad = isUtf8(bytes) ? [] : invalidUtf8(bytes);
  if (bad.length > 0) {
    const at = bad[0]!;
    const lineStart = bytes.lastIndexOf(0x0a, at - 1) + 1;
    const line = bytes.subarray(0, at).filter((b) => b === 0x0a).length + 1;
    const column = bytes.subarray(lineStart, at).toString('utf8').length + 1;
    const hex = bytes[at]!.toString(16).toUpperCase().padStart(2, '0');
    problems.fail(
      shown,
      `not valid UTF-8: invalid byte 0x${hex} at byte offset ${at}` +
        (bad.length > 1
          ? ` (${bad.length} invalid sequences in all; the next at ${bad.slice(1, 4).join(', ')})`
          : '') +
        '; save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)',
      { line, column },
    );
  }
  const text = bytes.toString('utf8');
  if (text.replace(/^\uFEFF/, '').trim() === '') problems.fail(shown, 'the file is empty');
  return text;
}

/** Byte offsets where an invalid UTF-8 sequence starts (RFC 3629: no overlongs, surrogates, > U+10FFFF). */
export function invalidUtf8(b: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n = 0;
    let min = 0;
    if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    let cp = n === 1 ? c & 0x1f : n === 2 ? c & 0x0f : c & 0x07;
    let ok = n > 0;
    for (let k = 1; ok && k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (x & 0x3f);
    }
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (ok) i += n + 1;
    else {
      out.push(i);
      i++;
    }
  }
  return out;
}

/** True when `path` is a folder. */
export function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The entry of `dir` whose name matches case-insensitively, or undefined. */
export function findEntry(dir: string, ...names: string[]): string | undefined {
  if (!isDir(dir)) return undefined;
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const hit = readdirSync(dir).find((e) => wanted.has(e.toLowerCase()));
  return hit === undefined ? undefined : join(dir, hit);
}

/** Every file under `dir` (recursive), sorted, skipping hidden entries. */
export function walkFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile()) out.push(p);
    }
  };
  visit(dir);
  return out;
}

export { existsSync };

/** A short display name of a file relative to the import root. */
export function shown(root: string, path: string): string {
  return relative(root, path) || basename(path);
}
