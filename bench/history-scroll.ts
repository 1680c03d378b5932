import type { Page } from 'playwright-core';

/** Frame timing of a scroll, measured in the page with requestAnimationFrame. */
export interface ScrollFigures {
  readonly frames: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  /** Frames whose interval exceeded 1.5 x the display's frame interval (a missed vsync). */
  readonly dropped: number;
  readonly longTasks: number;
  readonly longestTaskMs: number;
  readonly rowsPassed: number;
}

// Plain JavaScript in a string: the TypeScript loader would otherwise inject helpers the page
// does not have.
const SCRIPT = `({ frames, pxPerFrame, jump }) => new Promise((resolve) => {
  const el = document.querySelector('[data-testid="history-scroller"]');
  const long = [];
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) long.push(e.duration); });
  obs.observe({ type: 'longtask' });
  const deltas = [];
  // Positions are tracked here and only written: reading scrollTop or scrollHeight in the loop
  // would force a synchronous layout and charge it to the measurement.
  const max = el.scrollHeight - el.clientHeight;
  let last = -1, n = 0, seed = 7, travelled = 0, pos = el.scrollTop;
  const tick = (t) => {
    if (last >= 0) deltas.push(t - last);
    last = t;
    let next;
    if (jump) {
      seed = (seed * 1664525 + 1013904223) % 4294967296;
      next = Math.floor((seed / 4294967296) * max);
    } else next = pos + pxPerFrame > max ? 0 : pos + pxPerFrame;
    travelled += Math.abs(next - pos);
    pos = next;
    el.scrollTop = pos;
    if (++n < frames) requestAnimationFrame(tick);
    else setTimeout(() => {
      obs.disconnect();
      const sorted = [...deltas].sort((a, b) => a - b);
      const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] || 0;
      const vsync = 1000 / 60;
      resolve({
        frames: deltas.length, medianMs: q(0.5), p95Ms: q(0.95), maxMs: sorted[sorted.length - 1] || 0,
        dropped: deltas.filter((d) => d > 1.5 * vsync).length,
        longTasks: long.length, longestTaskMs: Math.max(0, ...long), rowsPassed: Math.round(travelled / 34),
      });
    }, 100);
  };
  requestAnimationFrame(tick);
})`;

/**
 * Scrolls History's virtualised table by `pxPerFrame` for `frames` animation frames (or jumps to
 * random offsets when `jump`), recording each frame's interval and every long task (> 50 ms).
 */
export async function measureScroll(
  page: Page,
  frames: number,
  pxPerFrame: number,
  jump = false,
): Promise<ScrollFigures> {
  return page.evaluate(
    `(${SCRIPT})(${JSON.stringify({ frames, pxPerFrame, jump })})`,
  ) as Promise<ScrollFigures>;
}
