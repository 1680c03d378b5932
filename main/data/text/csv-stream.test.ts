import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { streamCsv } from './csv-stream';
import { parseCsv } from './delimited';

const dir = mkdtempSync(join(tmpdir(), 'bw-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TEXT =
  '\uFEFFROW_ID,TEXT,X\r\n1,"a, ""quoted""\nsecond line",z\n2,plain,\n\n3,"",last\r\n4,"tail"after,\n5,"no newline at end"';

async function rows(path: string, chunkSize?: number) {
  const out = [];
  for await (const r of streamCsv(path, chunkSize ? { chunkSize } : {})) out.push(r);
  return out;
}

describe('streamCsv', () => {
  it('reads the rows parseCsv reads, with line numbers, across every chunk boundary', async () => {
    const path = join(dir, 'a.csv');
    writeFileSync(path, TEXT);
    const expected = parseCsv(TEXT);
    expect(expected.map((r) => r.cells[0])).toEqual(['ROW_ID', '1', '2', '3', '4', '5']);
    for (const size of [1, 2, 3, 5, 7, 64, 65536]) expect(await rows(path, size)).toEqual(expected);
  });

  it('gunzips .gz files; a corrupt archive is an error, not a hang', async () => {
    const path = join(dir, 'b.csv.gz');
    writeFileSync(path, gzipSync(Buffer.from(TEXT)));
    expect(await rows(path, 16)).toEqual(parseCsv(TEXT));
    const bad = join(dir, 'c.csv.gz');
    writeFileSync(bad, Buffer.concat([gzipSync(Buffer.from(TEXT)).subarray(0, 30), Buffer.from('xxxxxxxx')]));
    await expect(rows(bad)).rejects.toThrow();
  });

  it('stops reading when the consumer breaks early', async () => {
    const path = join(dir, 'd.csv');
    writeFileSync(path, `a\n${'1\n'.repeat(100000)}`);
    let seen = 0;
    for await (const _ of streamCsv(path, { chunkSize: 64 })) if (++seen === 3) break;
    expect(seen).toBe(3);
  });
});
