import { describe, expect, it } from 'vitest';
import { geometry, ROW_HEIGHT, scrollTopFor } from './log-geometry.js';

describe('log geometry', () => {
  it('gives a short log one row per 18 px, with rows to spare above and below the screen', () => {
    const geo = geometry(1000, 100 * ROW_HEIGHT, 480);
    expect(geo.height).toBe(1000 * ROW_HEIGHT);
    expect(geo.first).toBe(81);
    expect(geo.blockTop).toBe(80 * ROW_HEIGHT);
    expect(geo.count).toBeGreaterThan(480 / ROW_HEIGHT);
  });

  it('caps a huge log at a height browsers can scroll, mapping the scrollbar onto lines', () => {
    const top = geometry(10_000_000, 0, 480);
    expect(top.first).toBe(1);
    expect(top.height).toBeLessThan(10_000_000 * ROW_HEIGHT);
    const bottom = geometry(10_000_000, top.height - 480, 480);
    expect(bottom.first + bottom.count - 1).toBeGreaterThanOrEqual(10_000_000);
  });

  it('scrolls a line to the middle of the view, and back to that line', () => {
    for (const total of [1000, 10_000_000]) {
      const top = scrollTopFor(500, total, 480);
      const geo = geometry(total, top, 480);
      expect(500).toBeGreaterThanOrEqual(geo.first);
      expect(500).toBeLessThan(geo.first + geo.count);
    }
  });
});
