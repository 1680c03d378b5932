import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
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

/** The first importer (most specific first) that recognises `path`, or undefined. */
export async function detectFormat(path: string): Promise<Importer | undefined> {
  const p = probe(path);
  for (const importer of IMPORTERS) if (await importer.detect(p)) return importer;
  return undefined;
}
