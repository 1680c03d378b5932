import type { Browser, Page } from 'playwright-core';

/** Main-thread work of the renderer while something ran, from a Chromium trace. */
export interface MainThreadFigures {
  readonly tasks: number;
  /** Thread (CPU) time of the longest task: what the page itself spent, whatever the machine's load. */
  readonly maxCpuMs: number;
  readonly p99CpuMs: number;
  /** Tasks whose CPU time exceeded 50 ms. */
  readonly longCpuTasks: number;
  /** Wall time of the longest task (includes time the thread waited for a core). */
  readonly maxWallMs: number;
  readonly totalCpuMs: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * Runs `body` under Chromium tracing and measures the renderer main thread's tasks by thread
 * time (`tdur`), which a busy machine does not inflate, as well as by wall time.
 */
export async function traceMainThread(
  browser: Browser,
  page: Page,
  body: () => Promise<void>,
): Promise<MainThreadFigures> {
  await browser.startTracing(page, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'],
  });
  await body();
  const buffer = await browser.stopTracing();
  const events = (JSON.parse(buffer.toString()) as { traceEvents: TraceEvent[] }).traceEvents;
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const tasks = events.filter(
    (e) => e.ph === 'X' && e.name === 'RunTask' && main && e.pid === main.pid && e.tid === main.tid,
  );
  const cpu = tasks.map((t) => (t.tdur ?? t.dur ?? 0) / 1000).sort((a, b) => a - b);
  const wall = tasks.map((t) => (t.dur ?? 0) / 1000);
  return {
    tasks: tasks.length,
    maxCpuMs: cpu.at(-1) ?? 0,
    p99CpuMs: cpu[Math.floor(cpu.length * 0.99)] ?? 0,
    longCpuTasks: cpu.filter((c) => c > 50).length,
    maxWallMs: Math.max(0, ...wall),
    totalCpuMs: cpu.reduce((a, b) => a + b, 0),
  };
}
