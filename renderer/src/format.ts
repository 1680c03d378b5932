// One formatter each, made once: `toLocaleDateString` builds a new one per call, which costs
// more than the rest of a History row when thousands of rows scroll by.
const DATE = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: '2-digit', day: '2-digit' });
const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** Short local date-time for tables. */
export function formatDateTime(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return `${DATE.format(d)} ${TIME.format(d)}`;
}

/** Parameter counts as 33.5M / 1.2B. */
export function formatParams(n: number | null): string {
  if (n === null) return '';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}k`;
  return String(n);
}

/** Bytes as 512 B / 1.5 MB / 2.0 GB. */
export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} kB`;
  return `${n} B`;
}

/** A duration in seconds as 45 s / 3 min 20 s / 2 h 05 min. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A metric value with 3 decimals (or a dash when missing). */
export function formatMetric(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

/** Seconds left, from steps done and elapsed wall time; null until there is something to go on. */
export function estimateEta(step: number, totalSteps: number | null, elapsedSeconds: number): number | null {
  if (!totalSteps || step <= 0 || elapsedSeconds <= 0 || step >= totalSteps) return null;
  return (elapsedSeconds / step) * (totalSteps - step);
}
