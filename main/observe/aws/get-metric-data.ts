import { type CloudWatchClient, GetMetricDataCommand, type MetricDataQuery, type MetricDataResult } from '@aws-sdk/client-cloudwatch';

/** GetMetricData answers in pages; a range of many points takes a few. Bounded so a bad token cannot loop. */
const MAX_PAGES = 20;

export interface MetricValues {
  /** Query id → (epoch seconds → value). */
  byId: Map<string, Map<number, number>>;
  /** AWS's own messages (PartialData, a refused namespace), worth showing. */
  messages: string[];
}

/** Runs the queries as one GetMetricData call (following NextToken), oldest points first. */
export async function getMetricData(cw: CloudWatchClient, queries: MetricDataQuery[], from: number, to: number): Promise<MetricValues> {
  const byId = new Map<string, Map<number, number>>();
  const messages: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const answer = await cw.send(
      new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(from), EndTime: new Date(to), ScanBy: 'TimestampAscending', ...(token ? { NextToken: token } : {}) }),
    );
    for (const result of answer.MetricDataResults ?? []) add(byId, result, messages);
    for (const m of answer.Messages ?? []) if (m.Value) messages.push(m.Value);
    token = answer.NextToken;
    if (!token) break;
  }
  return { byId, messages: [...new Set(messages)] };
}

function add(byId: Map<string, Map<number, number>>, result: MetricDataResult, messages: string[]): void {
  const id = result.Id ?? '';
  let points = byId.get(id);
  if (!points) byId.set(id, (points = new Map()));
  const times = result.Timestamps ?? [];
  const values = result.Values ?? [];
  times.forEach((t, i) => {
    const v = values[i];
    if (v !== undefined) points.set(Math.floor(new Date(t).getTime() / 1000), v);
  });
  if (result.StatusCode === 'Forbidden') messages.push(`Not allowed to read ${result.Label ?? id}: the profile needs cloudwatch:GetMetricData on it.`);
  for (const m of result.Messages ?? []) if (m.Value) messages.push(`${result.Label ?? id}: ${m.Value}`);
}

/** The values of one query at each timestamp (epoch seconds), null where CloudWatch has no point. */
export function aligned(values: MetricValues, id: string, timestamps: readonly number[]): (number | null)[] {
  const points = values.byId.get(id);
  return timestamps.map((t) => points?.get(t) ?? null);
}
