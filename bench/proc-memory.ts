// Memory and CPU probes of the current process from /proc (Linux), for the benches that measure
// an import or a run in a child process (bench/import-large.ts).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * This process's peak RSS. On Linux VmHWM of /proc/self/status: getrusage's maxRSS is kept across
 * exec, so a child spawned by a parent holding 500 MB would report the parent's 500 MB.
 */
export function peakRssMB(): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (kb) return Number(kb[1]) / 1024;
  } catch {
    // no /proc: not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Resets this process's peak RSS (VmHWM) to its current RSS (Linux: `5` into /proc/self/clear_refs),
 * so a later `peakRssMB` is the peak of what came after (an import's, beyond the opening of its
 * store). Returns false where it cannot (then the peak stays the process's).
 */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * CPU time of this process's live threads, grouped by name (`main` is the JavaScript thread,
 * `libvips worker` libvips' decode/resize/encode threads): /proc/self/task/N/stat's utime + stime, in ms.
 * Threads that exited (an idle image pool's) count only in the process total.
 */
export function threadCpuMs(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // Node gives libuv's pool, V8's helpers and worker_threads (the image pool) one name: `node`.
      const name = Number(tid) === process.pid ? 'main' : comm === 'node' ? 'other node threads' : comm;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of stat (11 and 12 after the name), in 1/100 s.
      out[name] = (out[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10;
    }
  } catch {
    // no /proc: not Linux
  }
  return out;
}

/** One memory sample of the child: where the import stands and what each part of the process holds, in MB. */
export interface MemSample {
  at: string;
  /** The peak RSS so far (VmHWM). */
  peak: number;
  rss: number;
  anon: number;
  file: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** RssAnon / RssFile + RssShmem of /proc/self/status (MB); zeros where there is no /proc. */
function rssParts(): { anon: number; file: number } {
  try {
    const s = readFileSync('/proc/self/status', 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) / 1024;
    return { anon: kb('RssAnon'), file: kb('RssFile') + kb('RssShmem') };
  } catch {
    return { anon: 0, file: 0 };
  }
}

export function memSample(at: string): MemSample {
  const m = process.memoryUsage();
  const mb = (b: number) => b / 2 ** 20;
  return {
    at,
    peak: peakRssMB(),
    rss: mb(m.rss),
    ...rssParts(),
    heapTotal: mb(m.heapTotal),
    heapUsed: mb(m.heapUsed),
    external: mb(m.external),
    arrayBuffers: mb(m.arrayBuffers),
  };
}

/** The child's memory samples as a table (MB): which part of the process grows. */
export function memTable(samples: readonly MemSample[]): string {
  const cols = ['peak', 'rss', 'anon', 'file', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const;
  const lines = [`  ${'at'.padEnd(14)}${cols.map((c) => c.padStart(13)).join('')}`];
  for (const s of samples)
    lines.push(`  ${s.at.padEnd(14)}${cols.map((c) => s[c].toFixed(1).padStart(13)).join('')}`);
  return lines.join('\n');
}
