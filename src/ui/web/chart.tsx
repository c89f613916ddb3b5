import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Room on either side of the first and last day, in seconds. */
const HALF_DAY = 43_200;

export const PALETTE = ['#6d5dfc', '#1fb8a6', '#f59e42', '#e8578a', '#3b9be8', '#9bc53d', '#b06ce6', '#e0c341'];

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  format?: (v: number) => string;
}

/**
 * A uPlot chart filling its box: lines over days (x: epoch seconds), or bars over categories (`categories`:
 * their names for the x axis).
 */
export function Chart({ x, series, categories, yFormat, height = 220 }: {
  x: number[]; series: Series[]; categories?: string[]; yFormat: (v: number) => string; height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const bars = categories !== undefined;
    const barPath = uPlot.paths.bars!({ size: [0.6, 48], gap: 2 });
    const options: uPlot.Options = {
      width: el.clientWidth,
      height,
      legend: { show: series.length > 1 },
      cursor: { points: { size: 6 } },
      scales: { x: { time: !bars, range: bars ? [-0.6, x.length - 0.4] : [x[0]! - HALF_DAY, x[x.length - 1]! + HALF_DAY] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        {
          stroke: '#8b8fa3', grid: { show: false }, ticks: { stroke: '#2a2e3f' },
          ...(bars ? { splits: () => x, values: (_u: uPlot, splits: number[]) => splits.map(i => categories[i] ?? '') } : {}),
        },
        { stroke: '#8b8fa3', grid: { stroke: '#262a3a' }, ticks: { show: false }, size: 64, values: (_u, splits) => splits.map(yFormat) },
      ],
      series: [
        { label: bars ? 'function' : 'day', value: (_u, v) => (v === null ? '—' : bars ? categories[v] ?? '' : new Date(v * 1000).toISOString().slice(0, 10)) },
        ...series.map(s => ({
          label: s.label,
          stroke: s.color,
          fill: `${s.color}${bars ? 'cc' : '22'}`,
          width: bars ? 0 : 2,
          points: { show: !bars && x.length < 40, size: 5, fill: s.color },
          ...(bars ? { paths: barPath } : {}),
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : (s.format ?? yFormat)(v)),
        })),
      ],
    };
    const plot = new uPlot(options, [x, ...series.map(s => s.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [JSON.stringify([x, series.map(s => [s.label, s.values]), categories])]);
  return <div class="chart" ref={box} />;
}
