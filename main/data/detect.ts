import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { DatasetFormat } from '#shared/domain/dataset';
import { IMPORTERS } from './importers/index';
import type { Importer, Probe } from './types';

/** What detection looks at: the listing of a folder or the first 4 KiB of a file. */
export function probe(path: string): Probe {
  const st = statSync(path);
  const base = basename(path).toLowerCase();
  if (st.isDirectory()) {
    return {
      path,
      isDir: true,
      base,
      entries: readdirSync(path)
        .filter((e) => !e.startsWith('.'))
        .sort(),
      head: '',
    };
  }
  const buf = Buffer.alloc(Math.min(4096, st.size));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  return { path, isDir: false, base, entries: [], head: buf.toString('latin1') };
}

/** The importer of a format. */
export function importerFor(format: DatasetFormat): Importer | undefined {
  return IMPORTERS.find((i) => i.format === format);
}

/** What an import reads: the importer and the path to hand it. */
export interface Detected {
  readonly importer: Importer;
  /** `path` itself, or the one entry inside the folder that holds the dataset. */
  readonly path: string;
}

async function firstMatch(p: Probe): Promise<Importer | undefined> {
  for (const importer of IMPORTERS) if (await importer.detect(p)) return importer;
  return undefined;
}

/**
 * Finds the format of `path` (or checks the given one). A folder that is not itself in a known
 * layout is looked into: when exactly one of its entries (file or folder) is a dataset (a folder
 * holding only `pneumoniamnist.npz`, a release unpacked into a sub-folder), that entry is read.
 * Several such entries are ambiguous: they are returned in `candidates` and nothing is chosen.
 */
export async function detectInput(
  path: string,
  format?: DatasetFormat,
): Promise<Detected | { readonly candidates: readonly Detected[] } | undefined> {
  const p = probe(path);
  const wanted = format ? importerFor(format) : undefined;
  if (format && !wanted) return undefined;
  const matches = async (q: Probe) =>
    wanted ? ((await wanted.detect(q)) ? wanted : undefined) : firstMatch(q);
  const self = await matches(p);
  if (self) return { importer: self, path };
  if (!p.isDir) return wanted ? { importer: wanted, path } : undefined;
  const inside: Detected[] = [];
  for (const entry of p.entries) {
    const full = join(path, entry);
    const importer = await matches(probe(full)).catch(() => undefined);
    if (importer) inside.push({ importer, path: full });
  }
  if (inside.length === 1) return inside[0];
  if (inside.length > 1) return { candidates: inside };
  // A format given by the user is tried on the folder as it is (its parser names what is missing).
  return wanted ? { importer: wanted, path } : undefined;
}

/** The importer that reads `path` (see `detectInput`), or undefined. */
export async function detectFormat(path: string): Promise<Importer | undefined> {
  const d = await detectInput(path);
  return d && 'importer' in d ? d.importer : undefined;
}
