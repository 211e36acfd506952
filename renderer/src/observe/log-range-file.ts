import { type ObserveSource, readLogRange } from '../../../common/api/observe.contract.js';
import type { ApiClient } from '../api/client.js';

export interface LogRangeQuery {
  source: ObserveSource;
  group: string;
  streams?: readonly string[];
  filterPattern?: string;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[:.]/g, '-');

/**
 * The lines of a log group from `from` to `to` (epoch ms), read again from where they are kept
 * (CloudWatch, or the sandbox's files), not only what the view holds, as a text file: one line
 * per event with its time and stream, and a last line saying so when more matched than it holds.
 */
export async function logRangeFile(client: ApiClient, query: LogRangeQuery, from: number, to: number): Promise<{ name: string; text: string; lines: number; truncated: boolean }> {
  const { source, group, streams, filterPattern } = query;
  const answer = await client.call(readLogRange, {
    source,
    group,
    from,
    to,
    ...(streams && streams.length > 0 ? { streams: [...streams] } : {}),
    ...(filterPattern ? { filterPattern } : {}),
  });
  const text = answer.lines.map((l) => `${new Date(l.ts).toISOString()} ${l.stream} ${l.text}`).join('\n');
  const note = answer.truncated ? `\n[benchtop] more lines matched; this file holds the first ${answer.lines.length}.\n` : '\n';
  return { name: `${group}-${stamp(from)}-to-${stamp(to)}.log`, text: text + note, lines: answer.lines.length, truncated: answer.truncated };
}
