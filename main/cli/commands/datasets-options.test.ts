import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '#main/cli/test-cli';
import { writeTree } from '#main/data/fixtures/make-fixtures';
import { cbisRelease, mimicCxrRelease, seededPng } from '#main/data/fixtures/publisher-fixtures';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bw-cli-opt-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (argv: string[]) => runCliCaptured(argv, { BIOMED_HOME: join(dir, 'home') });

describe('biomed datasets import: publisher options', () => {
  it('--views frontal (MIMIC-CXR) and --crops (CBIS-DDSM) reach the importers; a bad value is a usage error', async () => {
    const mimic = writeTree(join(dir, 'mimic'), mimicCxrRelease(seededPng, 'zip').tree);
    const all = JSON.parse((await cli(['datasets', 'import', mimic, '--dry-run', '--json'])).out);
    const frontal = JSON.parse(
      (await cli(['datasets', 'import', mimic, '--dry-run', '--json', '--views', 'frontal'])).out,
    );
    expect([all.format, all.examples, frontal.examples]).toEqual(['mimic-cxr', 6, 5]);
    expect((await cli(['datasets', 'import', mimic, '--views', 'sideways'])).code).toBe(2);
    const cbis = writeTree(join(dir, 'cbis'), cbisRelease());
    const crops = JSON.parse((await cli(['datasets', 'import', cbis, '--dry-run', '--json', '--crops'])).out);
    expect([crops.format, crops.examples]).toEqual(['cbis-ddsm', 5]);
  });
});

describe('biomed datasets import --max-side', () => {
  it('stores images at the long side given (or as they are with original); a bad value is a usage error', async () => {
    const sharp = (await import('sharp')).default;
    const big = await sharp({ create: { width: 640, height: 320, channels: 3, background: '#808080' } })
      .jpeg()
      .toBuffer();
    const folder = writeTree(join(dir, 'sized'), { 'a/x.jpg': big, 'b/y.jpg': big });
    const widths = async (args: string[]) => {
      const r = JSON.parse((await cli(['datasets', 'import', folder, '--json', ...args])).out);
      const { openStore } = await import('#db/store');
      const store = openStore(join(dir, 'home', 'workbench.sqlite'));
      try {
        return [...store.examples.iterate(r.datasetId)].map((e) => store.blobs.get(e.imageHash!)!.width);
      } finally {
        store.close();
      }
    };
    expect(await widths(['--max-side', '100'])).toEqual([100, 100]);
    expect(await widths(['--max-side', 'original'])).toEqual([640, 640]);
    expect((await cli(['datasets', 'import', folder, '--max-side', 'tiny'])).code).toBe(2);
  });
});
