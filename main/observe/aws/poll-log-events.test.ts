import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { filterLogEvents } from './poll-log-events.js';

const logs = mockClient(CloudWatchLogsClient);
beforeEach(() => logs.reset());

describe('filterLogEvents', () => {
  it('stops at the message size budget, not only at the event count, and says the range was cut', async () => {
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ eventId: 'a', timestamp: 1, message: 'a'.repeat(40) }], nextToken: 'p2' })
      .resolvesOnce({ events: [{ eventId: 'b', timestamp: 2, message: 'b'.repeat(40) }, { eventId: 'c', timestamp: 3, message: 'c'.repeat(40) }], nextToken: 'p3' })
      .resolvesOnce({ events: [{ eventId: 'd', timestamp: 4, message: 'd' }] });
    const client = new CloudWatchLogsClient({ region: 'eu-west-1' });
    const cut = await filterLogEvents(client, { groupName: 'g' }, 0, 10, 1_000, undefined, 100);
    expect(cut).toMatchObject({ truncated: true, events: [{ eventId: 'a' }, { eventId: 'b' }] });
    // No more pages are asked for once the budget is spent.
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(2);
  });

  it('reads every page of a range within its budgets', async () => {
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ eventId: 'a', timestamp: 1, message: 'x' }], nextToken: 'p2' })
      .resolvesOnce({ events: [{ eventId: 'b', timestamp: 2, message: 'y' }] });
    const client = new CloudWatchLogsClient({ region: 'eu-west-1' });
    expect(await filterLogEvents(client, { groupName: 'g' }, 0, 10, 1_000, undefined, 100)).toMatchObject({ truncated: false, events: [{ eventId: 'a' }, { eventId: 'b' }] });
  });
});
