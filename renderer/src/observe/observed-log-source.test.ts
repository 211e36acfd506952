import { describe, expect, it } from 'vitest';
import type { ObservedLine } from '../../../common/api/observe.contract.js';
import type { ApiClient } from '../api/client.js';
import { ObservedLogSource } from './observed-log-source.js';

function clientFeeding(batches: { lines: ObservedLine[]; mode?: 'polling'; notice?: string }[]): ApiClient {
  return {
    call: () => Promise.reject(new Error('no call')),
    subscribe: (_def: unknown, _input: unknown, onMessage: (p: unknown) => void) => {
      for (const b of batches) onMessage(b);
      return () => undefined;
    },
  } as unknown as ApiClient;
}

const line = (seq: number): ObservedLine => ({ seq, ts: seq, stream: 's', text: `line ${seq}` });

describe('a followed log group as a log view source', () => {
  it('holds the newest lines only, so following for hours keeps memory flat', async () => {
    const batches = [{ lines: Array.from({ length: 25 }, (_, i) => line(i + 1)) }];
    const source = new ObservedLogSource(clientFeeding(batches), { source: { kind: 'local' }, group: 'services', since: 0 }, 10);
    const got: number[] = [];
    source.follow(0, (lines) => got.push(...lines.map((l) => l.seq)), () => undefined);
    expect(got).toHaveLength(25);
    expect(await source.count()).toEqual({ total: 25, done: false });
    expect(source.oldest()).toBe(16);
    const page = await source.read(0, 100);
    expect(page.items.map((l) => l.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect((await source.read(20, 2)).items.map((l) => l.seq)).toEqual([21, 22]);
    expect((await source.search('line 2')).matches.map((l) => l.seq)).toEqual([20, 21, 22, 23, 24, 25]);
  });

  it('keeps how lines come and what it was told (polling, a notice) for the status line', () => {
    const source = new ObservedLogSource(clientFeeding([{ lines: [], mode: 'polling', notice: 'Live Tail is not available' }, { lines: [line(1)] }]), { source: { kind: 'local' }, group: 'services', since: 0 });
    let told = 0;
    source.onStatus(() => (told += 1));
    source.follow(0, () => undefined, () => undefined);
    expect(source.getStatus()).toEqual({ mode: 'polling', sampled: false, notices: ['Live Tail is not available'] });
    expect(told).toBe(1);
  });
});
