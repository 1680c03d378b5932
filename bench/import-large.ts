// Import of large publisher datasets (issue 22): a generated MIMIC-CXR-JPG-shaped folder (publisher
// layout, JPEGs of 2,500 x 3,000 px) and a CBIS-DDSM-shaped one (16-bit DICOMs of 4,000 x 5,000
// px), each imported into a fresh data folder in a child process: images/s, peak RSS, bytes stored
// against bytes read, and a re-run after an interrupt (SIGINT) at half way against the first run.
// Goals: stored <= 5% of the source at the default size; >= 100 MIMIC-sized JPEGs/s on 2 cores;
// peak RSS <= 500 MB; the re-run after the interrupt <= 15% of the first run. A re-run must decode
// the half the interrupted run did not reach (about 50% of the first run), so the bench prints the
// re-run's time, that floor and the overhead beyond it, and the same import once more with
// everything stored (the skip path alone).
//   npx tsx bench/import-large.ts [--count 2000] [--ddsm-count 200] [--only mimic|ddsm] [--max-side N]
//     [--source DIR]   (the generated folders kept in DIR and reused: the import starts on a quiet machine)
//   npx tsx bench/import-large.ts --rows 20000   (memory against the row count, tiny images: 2,000 and 20,000)
//   npx tsx bench/import-large.ts --rows 2000,20000,60000   (the counts given; `--rows 377110` once: MIMIC's)
//   ... --reports zip   (the reports in mimic-cxr-reports.zip, as the release ships them)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { nativeJpeg, ownDecoder } from '#main/data/images/native-jpeg';
import { fitInside, JPEG_QUALITY, THUMBNAIL_SIZE } from '#main/data/images/prepare';
import { importDataset } from '#main/services/dataset-import';
import { openWorkbench } from '#main/services/open';
import { ImportRequest } from '#shared/api/datasets';
import { DEFAULT_MAX_SIDE } from '#shared/domain/dataset';
import { type MemSample, memSample, memTable, peakRssMB, resetPeakRss, threadCpuMs } from './proc-memory';
import { filesUnder, generateDdsm, generateMimic } from './publisher-folders';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** Child: one import of `dir` into the data folder `home`; SIGINT interrupts it (kept for a re-run). */
async function child(dir: string, home: string, maxSide: string): Promise<void> {
  const ctx = openWorkbench(home, 'browser');
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  const startHeapMB = process.memoryUsage().heapUsed / 2 ** 20;
  // The peak of the store's opening (often the highest before the import holds much), then the
  // import's own peak from there: the steadier figure per row.
  const openPeakMB = peakRssMB();
  const importPeak = resetPeakRss();
  let liveHeapMB: number | undefined;
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort());
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const threads0 = threadCpuMs();
  // Memory at the start, at each tenth of the images, when the examples are written and at the end.
  const samples: MemSample[] = [memSample('start')];
  let nextTenth = 1;
  let result: Record<string, unknown>;
  try {
    const options = maxSide ? { maxSide: maxSide === 'original' ? 'original' : Number(maxSide) } : {};
    const r = await importDataset(
      ctx,
      ImportRequest.parse({ path: dir, options }),
      (e) => {
        process.stderr.write(`${e.phase} ${e.done} ${e.total} ${e.message}\n`);
        if (e.phase === 'images' && e.total > 0 && e.done >= (nextTenth * e.total) / 10) {
          samples.push(memSample(`images ${e.done}`));
          while (e.done >= (nextTenth * e.total) / 10) nextTenth++;
        }
        if (e.phase === 'write') samples.push(memSample(`write ${e.done}`));
        // With --expose-gc (the --rows bench): what the import holds once every image is done.
        if (e.phase === 'write' && e.done === 0 && collect) {
          collect();
          liveHeapMB = process.memoryUsage().heapUsed / 2 ** 20;
        }
      },
      interrupt.signal,
    );
    result = {
      ok: true,
      examples: r.examples,
      images: r.images,
      skipped: r.skippedCount,
      firstSkipped: r.skipped[0],
    };
  } catch (err) {
    result = { ok: false, error: (err as Error).message.split('\n')[0] };
  }
  result['ms'] = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  result['cpuMs'] = (cpu.user + cpu.system) / 1000;
  result['threadCpuMs'] = Object.fromEntries(
    Object.entries(threadCpuMs()).map(([k, v]) => [k, v - (threads0[k] ?? 0)]),
  );
  result['maxRssMB'] = Math.max(openPeakMB, peakRssMB());
  result['openPeakMB'] = openPeakMB;
  if (importPeak) result['importPeakMB'] = peakRssMB();
  samples.push(memSample('end'));
  result['samples'] = samples;
  if (liveHeapMB !== undefined) result['liveHeapMB'] = liveHeapMB - startHeapMB;
  ctx.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

interface ChildResult {
  ok: boolean;
  ms: number;
  maxRssMB: number;
  /** The peak RSS while the store opened, and from there to the end (where VmHWM can be reset: Linux). */
  openPeakMB: number;
  importPeakMB?: number;
  /** JavaScript heap in use after a full GC once the images are done, beyond the start (--rows only). */
  liveHeapMB?: number;
  cpuMs: number;
  threadCpuMs: Record<string, number>;
  samples: MemSample[];
  examples?: number;
  images?: { total: number; new: number; reused?: number };
  error?: string;
}

/** Runs the child import; with `stopAt`, sends SIGINT once that many images are done. */
function runChild(dir: string, home: string, stopAt?: number, node: string[] = []): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const p = spawn(
      process.execPath,
      [
        ...process.execArgv,
        ...node,
        fileURLToPath(import.meta.url),
        '--child',
        dir,
        home,
        arg('max-side', ''),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let sent = false;
    let lastLine = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => {
      for (const line of b.toString().split('\n')) {
        if (!line) continue;
        lastLine = line;
        const [phase, done] = line.split(' ');
        if (stopAt !== undefined && !sent && phase === 'images' && Number(done) >= stopAt) {
          sent = true;
          p.kill('SIGINT');
        }
      }
    });
    p.on('error', reject);
    p.on('close', () => {
      try {
        resolvePromise(JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult);
      } catch {
        reject(new Error(`the child printed no result (last progress: ${lastLine})`));
      }
    });
  });
}

function bytesUnder(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? bytesUnder(p) : statSync(p).size;
  }
  return n;
}

/**
 * The least CPU an import can spend on a JPEG: the bare sharp decode (shrink-on-load) and
 * downscale to the stored side, pixels out, nothing else (no read, hash, encode, thumbnail, store),
 * one file at a time over a sample of the generated files: ms of CPU per image.
 */
async function decodeFloorMs(files: readonly string[], side: number): Promise<number> {
  const sample = files.slice(0, 60).map((f) => readFileSync(f));
  const decode = (b: Buffer) => sharp(b).resize(fitInside(side)).raw().toBuffer();
  for (const b of sample.slice(0, 3)) await decode(b);
  const c = process.cpuUsage();
  for (const b of sample) await decode(b);
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000 / sample.length;
}

/** The native JPEG path's own CPU per image (one call each, no read, hash or store), in ms. */
function nativeFloorMs(
  addon: NonNullable<ReturnType<typeof nativeJpeg>['addon']>,
  files: readonly string[],
  side: number,
): number {
  const sample = files.slice(0, 60).map((f) => readFileSync(f));
  for (const b of sample.slice(0, 3)) addon.downscale(b, side, JPEG_QUALITY, THUMBNAIL_SIZE, ownDecoder());
  const c = process.cpuUsage();
  for (const b of sample) addon.downscale(b, side, JPEG_QUALITY, THUMBNAIL_SIZE, ownDecoder());
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000 / sample.length;
}

/**
 * The scaled decode alone (the scale the stored side needs), by our own decoder and by
 * libjpeg-turbo, alternating file by file: ms of CPU per image each, or null where our decoder
 * does not take the files (colour, or a scale other than 1/4 and 1/8).
 */
function decodersMs(
  addon: NonNullable<ReturnType<typeof nativeJpeg>['addon']>,
  files: readonly string[],
  scale: 1 | 2 | 4 | 8,
): { own: number; turbojpeg: number } | null {
  const sample = files.slice(0, 60).map((f) => readFileSync(f));
  const spent = { own: 0, turbojpeg: 0 };
  for (const b of sample)
    for (const own of [true, false]) {
      const c = process.cpuUsage();
      if (!addon.scaledGrey(b, scale, own)) return null;
      const d = process.cpuUsage(c);
      spent[own ? 'own' : 'turbojpeg'] += (d.user + d.system) / 1000;
    }
  return { own: spent.own / sample.length, turbojpeg: spent.turbojpeg / sample.length };
}

/** `CPU 24.1 ms per image (libvips worker 18.5, main 3.0, ...); 1.80 cores busy` of a child's import. */
function cpuLine(r: ChildResult, images: number): string {
  const parts = Object.entries(r.threadCpuMs)
    .filter(([, ms]) => ms / images >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([k, ms]) => `${k} ${(ms / images).toFixed(1)}`);
  return `CPU ${(r.cpuMs / images).toFixed(1)} ms per image (${parts.join(', ')}); ${(r.cpuMs / r.ms).toFixed(2)} cores busy on average`;
}

async function bench(
  name: string,
  generate: (root: string) => Promise<number> | number,
  jpegFloor = false,
): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), `bw-${name}-`));
  try {
    // --source DIR: the generated folder is kept in DIR/<name> and reused by later runs (a quiet
    // machine for the import: no generation just before it).
    const kept = arg('source', '');
    const source = kept ? join(kept, name) : join(root, 'source');
    // What the kept folder was generated with: another count or report layout generates it again.
    const made = join(source, '.generated');
    const key = ['count', 'ddsm-count', 'reports'].map((k) => arg(k, '')).join(' ');
    const earlier =
      kept && existsSync(made)
        ? (JSON.parse(readFileSync(made, 'utf8')) as { key?: string; bytes?: number })
        : null;
    let t = performance.now();
    let read: number;
    if (earlier?.key === key && earlier.bytes) {
      read = earlier.bytes;
      console.log(`${name}: ${(read / 2 ** 20).toFixed(0)} MB of images generated earlier in ${source}`);
    } else {
      rmSync(source, { recursive: true, force: true });
      read = await generate(source);
      if (kept) writeFileSync(made, JSON.stringify({ key, bytes: read }));
      console.log(
        `${name}: generated ${(read / 2 ** 20).toFixed(0)} MB of images in ${((performance.now() - t) / 1000).toFixed(0)} s`,
      );
    }
    console.log(
      `${name}: load average before the import ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const home1 = join(root, 'home1');
    t = performance.now();
    const first = await runChild(source, home1);
    if (!first.ok) throw new Error(`${name}: the import failed: ${first.error}`);
    const stored = bytesUnder(join(home1, 'blobs'));
    const images = first.images!.total;
    console.log(
      `${name}: ${first.examples} examples, ${images} images in ${(first.ms / 1000).toFixed(1)} s = ${(images / (first.ms / 1000)).toFixed(1)} images/s; ` +
        `peak RSS ${first.maxRssMB.toFixed(0)} MB; stored ${(stored / 2 ** 20).toFixed(1)} MB of ${(read / 2 ** 20).toFixed(0)} MB read = ${((100 * stored) / read).toFixed(2)}%`,
    );
    const cores = availableParallelism();
    console.log(
      `${name}: the import's ${cpuLine(first, images)} => at most ${((1000 * cores * images) / first.cpuMs).toFixed(0)} images/s on ${cores} cores`,
    );
    if (jpegFloor) {
      const jpegs = filesUnder(source, '.jpg');
      const side = Number(arg('max-side', String(DEFAULT_MAX_SIDE)));
      const floor = await decodeFloorMs(jpegs, side);
      console.log(
        `${name}: decode floor: ${floor.toFixed(1)} ms CPU per image (bare sharp decode + downscale to ${side} px) => at most ${((1000 * cores) / floor).toFixed(0)} images/s on ${cores} cores`,
      );
      const native = nativeJpeg();
      console.log(
        native.addon
          ? `${name}: the native JPEG path (decode at scale, downscale, encode, thumbnail pixels): ${nativeFloorMs(native.addon, jpegs, side).toFixed(1)} ms CPU per image (${ownDecoder() ? 'grey films by our own decoder' : 'every decode by libjpeg-turbo (BIOMED_JPEG_DECODER=turbojpeg)'}; it loads in this process: the import's children use it unless BIOMED_JPEG_DECODER=sharp)`
          : `${name}: the native JPEG path is not used (${native.reason}): sharp decoded every JPEG`,
      );
      // The scale the stored side needs: the smallest DCT scale that still covers it (jpeg.c's choice).
      const { width = 0, height = 0 } = await sharp(readFileSync(jpegs[0]!)).metadata();
      const long = Math.max(width, height);
      const scale = ([8, 4, 2, 1] as const).find((d) => Math.ceil(long / d) >= side) ?? 1;
      const both = native.addon ? decodersMs(native.addon, jpegs, scale) : null;
      if (both)
        console.log(
          `${name}: the decode at 1/${scale} alone: our own decoder ${both.own.toFixed(1)} ms CPU per image, libjpeg-turbo ${both.turbojpeg.toFixed(1)} ms (the same samples)`,
        );
    }
    const home2 = join(root, 'home2');
    const cut = await runChild(source, home2, Math.floor(images / 2));
    const rerun = await runChild(source, home2);
    if (!rerun.ok) throw new Error(`${name}: the re-run failed: ${rerun.error}`);
    // The re-run must decode what the interrupted run did not reach: its share of the first run is
    // the floor; what it takes beyond that (reading the store, skipping what is stored) is overhead.
    const remaining = (first.ms * (rerun.images!.new ?? 0)) / images;
    const pct = (ms: number) => `${((100 * ms) / first.ms).toFixed(1)}%`;
    console.log(
      `${name}: interrupted at half (${cut.ok ? 'finished before the signal' : cut.error}); re-run ${(rerun.ms / 1000).toFixed(1)} s = ${pct(rerun.ms)} of the first run ` +
        `(${rerun.images!.reused} reused, ${rerun.images!.new} decoded; peak RSS ${rerun.maxRssMB.toFixed(0)} MB); ` +
        `the ${rerun.images!.new} left take ${pct(remaining)} of the first run, so the re-run's overhead is ${pct(rerun.ms - remaining)}`,
    );
    const again = await runChild(source, home2);
    if (!again.ok) throw new Error(`${name}: the repeated import failed: ${again.error}`);
    console.log(
      `${name}: the same import once more (everything stored): ${(again.ms / 1000).toFixed(1)} s = ${pct(again.ms)} of the first run (${again.images!.reused} reused, ${again.images!.new} decoded)`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A report of MIMIC-CXR's usual length (FINDINGS + IMPRESSION of about 600 characters). */
const longReport = (i: number) =>
  `FINDINGS: PA and lateral views of the chest provided. There is no focal consolidation, effusion, or pneumothorax. ` +
  `The cardiomediastinal silhouette is normal. Imaged osseous structures are intact. No free air below the right ` +
  `hemidiaphragm is seen. Mild degenerative changes of the thoracic spine. Study ${i}.\n\n` +
  `IMPRESSION: No acute intrathoracic process. No evidence of pneumonia. Heart size is normal; the lungs are clear ` +
  `and there is no pleural effusion. Compared with the prior study there is no interval change.\n`;

/**
 * Memory against the number of rows: MIMIC-CXR-shaped imports of each count (32 x 32 images, reports
 * of the usual length), each in a fresh child: the import's peak RSS from the store's opening on
 * (the opening's own peak printed apart), the cost per row between counts, 377,110 rows' peak; and
 * the JavaScript heap in use after a full GC once every image is done (what the import holds).
 */
async function benchRows(counts: readonly number[]): Promise<void> {
  const runs: { n: number; peak: number; live: number }[] = [];
  for (const count of counts) {
    const root = mkdtempSync(join(tmpdir(), 'bw-rows-'));
    try {
      const t = performance.now();
      await generateMimic(join(root, 'source'), count, [32, 32], longReport, arg('reports', '') === 'zip');
      const made = (performance.now() - t) / 1000;
      const r = await runChild(join(root, 'source'), join(root, 'home'), undefined, ['--expose-gc']);
      if (!r.ok) throw new Error(`rows: the import failed: ${r.error}`);
      const live = r.liveHeapMB ?? Number.NaN;
      const peak = r.importPeakMB ?? r.maxRssMB;
      console.log(
        `rows: ${r.examples} examples (32 x 32 images, generated in ${made.toFixed(0)} s) imported in ${(r.ms / 1000).toFixed(1)} s; ` +
          `peak RSS ${peak.toFixed(0)} MB from the store's opening on (${r.importPeakMB === undefined ? 'no VmHWM reset: whole process' : `opening ${r.openPeakMB.toFixed(0)} MB`}); heap held once the images are done ${live.toFixed(1)} MB`,
      );
      runs.push({ n: r.examples ?? count, peak, live });
      console.log(memTable(r.samples));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  if (runs.length < 2) return;
  const kb = (mb: number) => `${(mb * 1024).toFixed(2)} KB`;
  const slope = (a: (typeof runs)[0], b: (typeof runs)[0], k: 'peak' | 'live') => (b[k] - a[k]) / (b.n - a.n);
  const [a, b] = [runs[0]!, runs.at(-1)!];
  const at = (k: 'peak' | 'live') => (b[k] + slope(a, b, k) * (377_110 - b.n)).toFixed(0);
  const last =
    runs.length > 2 ? `; ${kb(slope(runs.at(-2)!, b, 'peak'))} per row from ${runs.at(-2)!.n} to ${b.n}` : '';
  console.log(
    `rows: peak RSS ${kb(slope(a, b, 'peak'))} per row from ${a.n} to ${b.n} rows${last} => 377,110 rows (MIMIC-CXR-JPG) about ${at('peak')} MB peak RSS`,
  );
  console.log(
    `rows: heap held ${kb(slope(a, b, 'live'))} per row => 377,110 rows hold about ${at('live')} MB of heap`,
  );
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]!, process.argv[4]!, process.argv[5] ?? '');
} else {
  const only = arg('only', '');
  console.log(
    `cores ${availableParallelism()}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const rows = arg('rows', '');
  if (rows !== '') {
    const counts = rows.split(',').map(Number);
    await benchRows(counts.length === 1 ? [Math.round(counts[0]! / 10), counts[0]!] : counts);
  } else if (only !== 'ddsm')
    await bench(
      'mimic-cxr',
      (r) =>
        generateMimic(r, Number(arg('count', '2000')), undefined, undefined, arg('reports', '') === 'zip'),
      true,
    );
  if (only !== 'mimic' && arg('rows', '') === '')
    await bench('cbis-ddsm', (r) => generateDdsm(r, Number(arg('ddsm-count', '200'))));
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}
