import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { Problems } from './problems';

/** Reads a text file as UTF-8; a missing or empty file is a fatal problem. */
export async function readText(path: string, problems: Problems, root?: string): Promise<string> {
  const shown = root ? relative(root, path) || basename(path) : basename(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return problems.fail(
      shown,
      `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  if (text.replace(/^\uFEFF/, '').trim() === '') problems.fail(shown, 'the file is empty');
  return text;
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
