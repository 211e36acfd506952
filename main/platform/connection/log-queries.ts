import type { PlatformClient } from '../../../lib/protocol/client.js';
import type { LogLine } from '../../../common/protocol/index.js';

/**
 * How many lines a run has logged. API v1 gives no count, but seqs are 1..N without gaps, so
 * "is there a line after X?" is a one-row query: grow a bound by doubling, then bisect — about
 * 2·log2(N) small requests (40 for a million lines) instead of reading every line.
 */
export async function countLogLines(client: PlatformClient, runId: string): Promise<{ total: number; done: boolean }> {
  const hasAfter = async (after: number) => (await client.logs(runId, { after, limit: 1 })).items.length > 0;
  let low = 0; // known: total >= low
  let high = 1024;
  for (let i = 0; i < 40 && (await hasAfter(high - 1)); i += 1) {
    low = high;
    high *= 2;
  }
  // Invariant: total >= low, total < high.
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (await hasAfter(mid - 1)) low = mid;
    else high = mid;
  }
  const total = low;
  const tail = await client.logs(runId, { after: total, limit: 1 });
  return { total, done: tail.done };
}

/** Scans a run's log page by page for lines containing `query`; bounded by `limit` matches. */
export async function searchLogLines(
  client: PlatformClient,
  runId: string,
  options: { query: string; caseSensitive: boolean; limit: number },
): Promise<{ matches: LogLine[]; scanned: number; truncated: boolean }> {
  const needle = options.caseSensitive ? options.query : options.query.toLowerCase();
  const matches: LogLine[] = [];
  let after = 0;
  let scanned = 0;
  // A log can grow while we read; the bound keeps a runaway log from holding the call forever.
  for (let pages = 0; pages < 100_000; pages += 1) {
    const page = await client.logs(runId, { after, limit: 10_000 });
    for (const line of page.items) {
      scanned += 1;
      const hay = options.caseSensitive ? line.text : line.text.toLowerCase();
      if (hay.includes(needle)) {
        matches.push(line);
        if (matches.length >= options.limit) return { matches, scanned, truncated: true };
      }
    }
    if (page.items.length === 0) break;
    after = page.next;
  }
  return { matches, scanned, truncated: false };
}
