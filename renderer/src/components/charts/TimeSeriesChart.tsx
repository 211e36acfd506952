import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './charts.css';
import { formatValue, type ChartUnit } from './format-value.js';

export interface ChartSeries {
  label: string;
  /** One value per timestamp; null where there is no data point (drawn as a gap). */
  values: ReadonlyArray<number | null>;
  /** A CSS colour; defaults to the palette in order. */
  color?: string;
  /** Drawn dashed: a target or a limit (desired capacity, a threshold) rather than a measurement. */
  dashed?: boolean;
}

export interface TimeSeriesChartProps {
  /** Named for screen readers and the legend's heading. */
  title: string;
  /** Epoch seconds, ascending, shared by every series. */
  timestamps: ReadonlyArray<number>;
  series: readonly ChartSeries[];
  unit: ChartUnit;
  height?: number;
  /** Charts with the same key share one cross-hair: hovering one shows the same moment on all. */
  syncKey?: string;
  /** A horizontal line (an alarm's threshold), drawn behind the values. */
  threshold?: { value: number; label: string };
  /** The x range to show, epoch seconds, so empty edges of the range stay visible. */
  range?: { from: number; to: number };
  /** Said instead of the chart when no series has a single value. */
  emptyMessage?: string;
}

// Loaded on first use: uPlot reads window.matchMedia when its module loads, which pages that never
// draw a chart (and jsdom) need not have, and the Observe code stays out of the first bundle's path.
let uPlotModule: Promise<typeof uPlot> | undefined;
export function loadUPlot(): Promise<typeof uPlot> {
  uPlotModule ??= import('uplot').then((m) => m.default);
  return uPlotModule;
}

/** Above this many points a series is drawn with a 1-pixel line. */
const DENSE_POINTS = 2000;

const PALETTE = ['#2c7be5', '#e5832c', '#2ca05a', '#c53d4f', '#8a5cd6', '#1aa3a3', '#b58b00', '#6b7785'];

/** The theme's colours, read from the CSS variables so light and dark both look right on a canvas. */
function themeColours(el: HTMLElement): { text: string; grid: string; danger: string } {
  const style = getComputedStyle(el);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return { text: read('--text-muted', '#5a6574'), grid: read('--border', '#dfe3e8'), danger: read('--danger', '#b3261e') };
}

function thresholdPlugin(threshold: TimeSeriesChartProps['threshold'], colour: string): uPlot.Plugin {
  return {
    hooks: {
      // drawAxes runs before the series, so the line sits behind the values.
      drawAxes: [
        (u) => {
          if (!threshold) return;
          const y = u.valToPos(threshold.value, 'y', true);
          if (!Number.isFinite(y) || y < u.bbox.top || y > u.bbox.top + u.bbox.height) return;
          const { ctx } = u;
          ctx.save();
          ctx.strokeStyle = colour;
          ctx.lineWidth = 1.5 * devicePixelRatio;
          ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.beginPath();
          ctx.moveTo(u.bbox.left, y);
          ctx.lineTo(u.bbox.left + u.bbox.width, y);
          ctx.stroke();
          ctx.restore();
        },
      ],
    },
  };
}

function hasAnyValue(series: readonly ChartSeries[]): boolean {
  return series.some((s) => s.values.some((v) => v !== null && Number.isFinite(v)));
}

/**
 * uPlot, wrapped once: one canvas per chart, so 60,000 points draw in a few milliseconds, with the
 * theme's colours, units on the axis and in the hover legend, a shared cross-hair between charts
 * of one page (syncKey), an optional threshold line and an empty state that says why. The chart is
 * made again only when the shape changes (series, unit, threshold); new data is handed to the
 * existing chart, and a resize only resizes it.
 */
export function TimeSeriesChart({ title, timestamps, series, unit, height = 200, syncKey, threshold, range, emptyMessage }: TimeSeriesChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const empty = !hasAnyValue(series);
  const dense = timestamps.length > DENSE_POINTS;
  const shape = JSON.stringify({ labels: series.map((s) => [s.label, s.color, s.dashed]), unit, height, syncKey, threshold, empty, dense });
  const data = useMemo<uPlot.AlignedData>(() => [timestamps as number[], ...series.map((s) => s.values as (number | null)[])], [timestamps, series]);
  const rangeRef = useRef(range);
  rangeRef.current = range;
  const dataRef = useRef(data);
  dataRef.current = data;

  useLayoutEffect(() => {
    const el = host.current;
    if (!el || empty) return undefined;
    const colours = themeColours(el);
    const axis: uPlot.Axis = { stroke: colours.text, grid: { stroke: colours.grid, width: 1 }, ticks: { stroke: colours.grid, width: 1 } };
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      cursor: { ...(syncKey ? { sync: { key: syncKey } } : {}), drag: { x: false, y: false } },
      legend: { live: true },
      scales: {
        x: { time: true, ...(rangeRef.current ? { range: () => [rangeRef.current!.from, rangeRef.current!.to] as uPlot.Range.MinMax } : {}) },
        y: {
          range: (_u, min, max) => {
            const top = Math.max(max, threshold ? threshold.value * 1.1 : 0, unit === 'percent' ? 0 : 1);
            return [Math.min(0, min), top] as uPlot.Range.MinMax;
          },
        },
      },
      axes: [axis, { ...axis, size: 60, values: (_u, splits) => splits.map((v) => formatValue(v, unit)) }],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color ?? PALETTE[i % PALETTE.length]!,
          // Skia strokes a 1-pixel line as a hairline, 10-40 times faster than a wider one over
          // thousands of segments (bench/observe.ts): dense series get the thin line.
          width: dense ? 1 : 1.5,
          ...(s.dashed ? { dash: [5, 4] } : {}),
          value: (_u: uPlot, v: number | null) => formatValue(v, unit),
        })),
      ],
      plugins: [thresholdPlugin(threshold, colours.danger)],
    };
    let made: uPlot | undefined;
    let observer: ResizeObserver | undefined;
    let gone = false;
    void loadUPlot().then((UPlot) => {
      if (gone) return;
      made = new UPlot(opts, dataRef.current, el);
      chart.current = made;
      const m = made;
      observer = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(() => m.setSize({ width: el.clientWidth || 600, height }));
      observer?.observe(el);
    });
    return () => {
      gone = true;
      observer?.disconnect();
      made?.destroy();
      chart.current = null;
    };
    // Only a change of shape makes the chart again; new data is handed over by the effect below.
  }, [shape]);

  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);

  return (
    <figure className="chart" aria-label={title}>
      <figcaption className="chart__title">
        {title}
        {threshold ? <span className="chart__threshold">threshold {formatValue(threshold.value, unit)}</span> : null}
      </figcaption>
      {empty ? (
        <p className="chart__empty" style={{ height }}>
          {emptyMessage ?? 'No data in this range.'}
        </p>
      ) : (
        <div className="chart__plot" ref={host} data-testid="chart-plot" />
      )}
    </figure>
  );
}
