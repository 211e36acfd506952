import { describe, expect, it } from 'vitest';
import { materialize } from './conditions.js';
import { checkAlarms } from './alarm-rules.js';
import { freshTemplate, propsOf, resourceOf, SCENARIOS } from '../../templates/validate/test-helpers.js';

type Obj = Record<string, unknown>;

describe('alarms when the metrics stop', () => {
  it.each(SCENARIOS)('the platform deployed as $name passes', ({ parameters }) => {
    expect(checkAlarms(materialize(freshTemplate('platform'), { parameters, region: 'us-east-1' }))).toEqual([]);
  });

  it('fails on the first version: idle read from filled gaps, missing data breaching, "nothing queued" not breaching', () => {
    const t = freshTemplate('platform');
    const idle = propsOf(t, 'CpuIdleAlarm');
    (idle.Metrics as Obj[]).find((m) => m.Id === 'busy')!.Expression = 'FILL(queued, 0) + FILL(running, 0)';
    idle.TreatMissingData = 'breaching';
    propsOf(t, 'CpuQueuedAlarm').TreatMissingData = 'notBreaching';
    expect(checkAlarms(t)).toEqual([
      'CpuQueuedAlarm: a scaling alarm must leave missing data missing (TreatMissingData: missing), not notBreaching.',
      'CpuIdleAlarm: a scaling alarm must leave missing data missing (TreatMissingData: missing), not breaching.',
      'CpuIdleAlarm: metric busy fills gaps (FILL(queued, 0) + FILL(running, 0)), so missing metrics would scale.',
    ]);
  });

  it('fails when nothing alarms on missing queue metrics', () => {
    const t = freshTemplate('platform');
    delete (t.Resources as Obj).QueueMetricsMissingAlarm;
    expect(checkAlarms(t)).toEqual(['No alarm tells the alarm topic when QueueDepth stops arriving (TreatMissingData: breaching).']);
  });

  it('takes no notice of FILL in an alarm that only notifies', () => {
    const t = freshTemplate('platform');
    expect(JSON.stringify(resourceOf(t, 'QueueStuckAlarm'))).toContain('FILL(');
    expect(checkAlarms(t)).toEqual([]);
  });
});
