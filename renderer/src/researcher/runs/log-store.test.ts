import { describe, expect, it } from 'vitest';
import type { LogsPage } from '../../../../common/protocol/index.js';
import { logLines } from '../testing/fake-platform.js';
import { LogStore } from './log-store.js';

function setup(total: number, maxChunks = 400) {
  const all = logLines(total);
  const asked: number[] = [];
  const flushes: (() => void)[] = [];
  const fetchPage = async (after: number, limit: number): Promise<LogsPage> => {
    asked.push(after);
    const items = all.slice(after, after + limit);
    return { items, next: items.at(-1)?.seq ?? after, done: true };
  };
  const store = new LogStore(fetchPage, (f) => flushes.push(f), maxChunks);
  const flush = () => flushes.splice(0).forEach((f) => f());
  return { store, asked, flush };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('LogStore', () => {
  it('fetches only the chunks around what is on screen, once each', async () => {
    const { store, asked, flush } = setup(1_000_000);
    store.setTotal(1_000_000, true);
    store.ensure(700_000, 700_040);
    store.ensure(700_000, 700_040);
    await settle();
    flush();
    // Lines 700,000..700,040 straddle two chunks: 699,501-700,000 and 700,001-700,500.
    expect(asked).toEqual([699_500, 700_000]);
    expect(store.line(700_001)?.text).toBe('line 700001');
    store.ensure(700_000, 700_040);
    await settle();
    expect(asked).toHaveLength(2);
  });

  it('applies live lines once per flush, however many batches came', () => {
    const { store, flush } = setup(0);
    let notified = 0;
    store.subscribe(() => (notified += 1));
    for (let i = 0; i < 100; i += 1) store.append(logLines(100, i * 100 + 1));
    expect(store.total).toBe(0);
    flush();
    expect(notified).toBe(1);
    expect(store.total).toBe(10_000);
    expect(store.line(9_999)?.text).toBe('line 9999');
  });

  it('keeps at most maxChunks chunks, dropping the least recently used', async () => {
    const { store, asked, flush } = setup(10_000, 3);
    store.setTotal(10_000, true);
    for (const seq of [1, 501, 1001, 1501]) {
      store.ensure(seq, seq);
      await settle();
      flush();
    }
    expect(store.line(1)).toBeUndefined();
    expect(store.line(1501)?.text).toBe('line 1501');
    store.ensure(1, 1);
    await settle();
    expect(asked.filter((a) => a === 0)).toHaveLength(2);
  });
});
