import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { PALETTE } from '../export/svg';
import { alignLines, type Line } from './align';

/** Props of a line chart: lines may have different x values (they are aligned). */
export interface LineChartProps {
  readonly title: string;
  readonly lines: readonly Line[];
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly logX?: boolean;
  readonly logY?: boolean;
  readonly height?: number;
  /** x is a step count: ticks only at whole numbers. */
  readonly integerX?: boolean;
  /** Draw a marker on each point (the scaling view has few points). */
  readonly points?: boolean;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** Tick labels that stay distinct for tiny values (learning rates) and huge ones (parameters). */
export function tickLabel(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a < 1e-3 || a >= 1e6) return v.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
  return Number(v.toPrecision(4)).toString();
}

/** Whole-number tick steps for step axes (1, 2, 5, 10, 20, 50, ...). */
const INTEGER_INCRS = Array.from({ length: 24 }, (_, i) => [1, 2, 5][i % 3]! * 10 ** Math.floor(i / 3));

function options(p: LineChartProps, width: number): uPlot.Options {
  const fg = cssVar('--fg', '#1b1f24');
  const grid = cssVar('--border', '#d8dde3');
  const axis = (label?: string): uPlot.Axis => ({
    label,
    values: (_u, splits) => splits.map(tickLabel),
    stroke: fg,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
  });
  return {
    width,
    height: p.height ?? 220,
    title: undefined,
    scales: { x: { time: false, distr: p.logX ? 3 : 1 }, y: { distr: p.logY ? 3 : 1 } },
    axes: [p.integerX ? { ...axis(p.xLabel), incrs: INTEGER_INCRS } : axis(p.xLabel), axis(p.yLabel)],
    legend: { show: p.lines.length > 1 },
    cursor: { drag: { x: true, y: false } },
    series: [
      { label: p.xLabel ?? 'x' },
      ...p.lines.map((l, i) => ({
        label: l.label,
        stroke: PALETTE[i % PALETTE.length],
        width: 1.5,
        spanGaps: true,
        ...(l.reference ? { dash: [6, 4] } : {}),
        points: { show: (p.points ?? false) || l.reference === true, size: l.reference ? 8 : 6 },
      })),
    ],
  };
}

/**
 * A uPlot chart in a labelled figure. uPlot draws 100k points per series in a few ms, and the
 * data is downsampled at the API anyway; the chart is rebuilt only when its shape changes.
 */
export function LineChart(props: LineChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = `${props.lines.map((l) => l.label).join('|')}:${props.logX}:${props.logY}:${props.height}`;
  const latest = useRef(props);
  latest.current = props;

  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when the series set changes
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const build = () => {
      plot.current?.destroy();
      const { x, ys } = alignLines(latest.current.lines);
      plot.current = new uPlot(
        options(latest.current, el.clientWidth || 400),
        [x, ...ys] as uPlot.AlignedData,
        el,
      );
    };
    build();
    const ro = new ResizeObserver(() => {
      const u = plot.current;
      if (u && el.clientWidth > 0 && Math.abs(u.width - el.clientWidth) > 2)
        u.setSize({ width: el.clientWidth, height: latest.current.height ?? 220 });
    });
    ro.observe(el);
    window.addEventListener('biomed-theme', build);
    return () => {
      ro.disconnect();
      window.removeEventListener('biomed-theme', build);
      plot.current?.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    const { x, ys } = alignLines(props.lines);
    plot.current?.setData([x, ...ys] as uPlot.AlignedData);
  }, [props.lines]);

  return (
    <figure className="chart" aria-label={props.title}>
      <figcaption>{props.title}</figcaption>
      <div ref={box} className="chart-box" role="img" aria-label={`${props.title} chart`} />
    </figure>
  );
}
