import type { CfnObject, CfnValue } from './cfn-value.js';
import { isObject, listItems, resourcesOf } from './intrinsics.js';

// Scaling reads the services agent's metrics. When they stop (agent down, no route to
// CloudWatch), missing data must stay missing: read as zero it means "nothing queued" to a
// scale-out alarm (no worker ever starts) and "idle" to a scale-in alarm (busy workers leave).
// And the stop itself must raise an alarm to a person.

const refTargets = (value: CfnValue | undefined) => listItems(value).flatMap((v) => (isObject(v) && typeof v.Ref === 'string' ? [v.Ref] : []));

export function checkAlarms(template: CfnObject): string[] {
  const problems: string[] = [];
  const types = new Map(resourcesOf(template).map((r) => [r.id, r.type]));
  const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
  for (const alarm of alarms) {
    const scales = refTargets(alarm.properties.AlarmActions).some((id) => types.get(id) === 'AWS::AutoScaling::ScalingPolicy');
    if (!scales) continue;
    const treat = alarm.properties.TreatMissingData ?? 'missing';
    if (treat !== 'missing') problems.push(`${alarm.id}: a scaling alarm must leave missing data missing (TreatMissingData: missing), not ${String(treat)}.`);
    for (const query of listItems(alarm.properties.Metrics).filter(isObject)) {
      if (typeof query.Expression === 'string' && /\bFILL\s*\(/i.test(query.Expression)) {
        problems.push(`${alarm.id}: metric ${String(query.Id)} fills gaps (${query.Expression}), so missing metrics would scale.`);
      }
    }
  }
  const watchesSilence = alarms.some((a) => a.properties.MetricName === 'QueueDepth' && a.properties.TreatMissingData === 'breaching'
    && refTargets(a.properties.AlarmActions).some((id) => types.get(id) === 'AWS::SNS::Topic'));
  if (!watchesSilence) problems.push('No alarm tells the alarm topic when QueueDepth stops arriving (TreatMissingData: breaching).');
  return problems;
}
