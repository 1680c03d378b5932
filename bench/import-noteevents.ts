// MIMIC-III NOTEEVENTS streaming: writes a synthetic NOTEEVENTS.csv.gz of SIZE_MB uncompressed
// (default 400; the real file is ~4 GB) in the real column layout, then reads it with the
// importer and prints throughput and peak RSS, to show the file is never held whole.
//   npx tsx bench/import-noteevents.ts [SIZE_MB]
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { mimicNotesImporter } from '#main/data/importers/mimic-notes';
import { Problems } from '#main/data/problems';
import { collected } from '#main/data/types';
import { ImportOptions } from '#shared/domain/dataset';

const sizeMb = Number(process.argv[2] ?? 400);
const dir = mkdtempSync(join(tmpdir(), 'bw-notes-'));
const file = join(dir, 'NOTEEVENTS.csv.gz');
const filler = 'Patient was admitted with shortness of breath, started on "diuretics", improved. '.repeat(40);
const radiology = (k: number) =>
  `[**2151-7-16**] 9:13 PM\n CHEST (PORTABLE AP)\n FINAL REPORT\n INDICATION: dyspnea.\n FINDINGS: Lungs clear ${k}. Heart normal.\n IMPRESSION: No acute process ${k}.\n`;

async function* rows(): AsyncGenerator<string> {
  yield 'ROW_ID,SUBJECT_ID,HADM_ID,CHARTDATE,CHARTTIME,STORETIME,CATEGORY,DESCRIPTION,CGID,ISERROR,TEXT\n';
  let bytes = 0;
  for (let k = 1; bytes < sizeMb * 1e6; k++) {
    const rad = k % 5 === 0;
    const text = (rad ? radiology(k) : `Admission Date: [**2151-7-16**]\n${filler}`).replace(/"/g, '""');
    const line = `${k},${1000 + (k % 40000)},${100000 + k},2151-07-16,,,${rad ? 'Radiology' : 'Discharge summary'},${rad ? 'CHEST (PORTABLE AP)' : 'Report'},,,"${text}"\n`;
    bytes += line.length;
    yield line;
  }
}

await pipeline(Readable.from(rows()), createGzip(), createWriteStream(file));
const gz = statSync(file).size;
let peak = 0;
const base = process.memoryUsage().rss;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
const started = performance.now();
const parsed = await collected(await mimicNotesImporter.parse(file, ImportOptions.parse({}), new Problems()));
const seconds = (performance.now() - started) / 1000;
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
console.log(
  JSON.stringify({
    uncompressedMb: sizeMb,
    gzipMb: +(gz / 1e6).toFixed(1),
    examples: parsed.examples.length,
    seconds: +seconds.toFixed(2),
    mbPerSecond: +(sizeMb / seconds).toFixed(1),
    rssBeforeMb: +(base / 1e6).toFixed(0),
    rssPeakMb: +(peak / 1e6).toFixed(0),
  }),
);
rmSync(dir, { recursive: true, force: true });
