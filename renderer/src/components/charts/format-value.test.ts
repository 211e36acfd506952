import { describe, expect, it } from 'vitest';
import { formatValue } from './format-value.js';

describe('formatValue', () => {
  it('prints counts with SI prefixes and keeps small fractions', () => {
    expect(formatValue(3, 'count')).toBe('3');
    expect(formatValue(1234, 'count')).toBe('1.23k');
    expect(formatValue(2_500_000, 'requests')).toBe('2.5M');
    expect(formatValue(0.25, 'count')).toBe('0.25');
  });

  it('prints durations in the unit a person would use', () => {
    expect(formatValue(0.2, 'seconds')).toBe('200 ms');
    expect(formatValue(42, 'seconds')).toBe('42 s');
    expect(formatValue(600, 'seconds')).toBe('10 min');
    expect(formatValue(3 * 3600, 'seconds')).toBe('3 h');
    expect(formatValue(1500, 'milliseconds')).toBe('1.5 s');
  });

  it('prints bytes in binary units and percentages', () => {
    expect(formatValue(512, 'bytes')).toBe('512 B');
    expect(formatValue(3 * 1024 * 1024, 'bytes/s')).toBe('3 MiB/s');
    expect(formatValue(85.4, 'percent')).toBe('85%');
  });

  it('says no data as a dash, not as zero', () => {
    expect(formatValue(null, 'count')).toBe('—');
    expect(formatValue(Number.NaN, 'percent')).toBe('—');
  });
});
