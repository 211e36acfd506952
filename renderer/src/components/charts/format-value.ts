/** What a chart's values measure; the axis and the hover legend print values with it. */
export type ChartUnit = 'count' | 'percent' | 'seconds' | 'milliseconds' | 'bytes' | 'bytes/s' | 'requests';

const SI = ['', 'k', 'M', 'G', 'T', 'P'];
const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

function scaled(value: number, base: number, names: readonly string[], space: string): string {
  let v = Math.abs(value);
  let i = 0;
  while (v >= base && i < names.length - 1) {
    v /= base;
    i += 1;
  }
  const digits = v >= 100 || i === 0 ? 0 : v >= 10 ? 1 : 2;
  const shown = String(Number(v.toFixed(i === 0 && !Number.isInteger(v) ? 2 : digits)));
  return `${value < 0 ? '-' : ''}${shown}${space}${names[i]}`;
}

function duration(seconds: number): string {
  const s = Math.abs(seconds);
  if (s < 1) return `${Math.round(seconds * 1000)} ms`;
  if (s < 120) return `${Number(seconds.toFixed(s < 10 ? 1 : 0))} s`;
  if (s < 7200) return `${Number((seconds / 60).toFixed(1))} min`;
  return `${Number((seconds / 3600).toFixed(1))} h`;
}

/** A value as a person reads it: "1.2k", "85%", "3.4 min", "12 MiB/s"; null (no data) as "—". */
export function formatValue(value: number | null | undefined, unit: ChartUnit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'percent':
      return `${Number(value.toFixed(Math.abs(value) < 10 ? 1 : 0))}%`;
    case 'seconds':
      return duration(value);
    case 'milliseconds':
      return duration(value / 1000);
    case 'bytes':
      return scaled(value, 1024, BINARY, ' ');
    case 'bytes/s':
      return `${scaled(value, 1024, BINARY, ' ')}/s`;
    case 'requests':
    case 'count':
      return scaled(value, 1000, SI, '');
  }
}
